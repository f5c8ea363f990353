/*
 * product.h - the two security products a pipeline keeps in step with
 * IT Glue, and their names: the word used in pipeline files, plan
 * manifests and messages ("bullphish"), and the title shown to people
 * ("BullPhish ID").  Every stage names a product through here.
 */
#ifndef ITG_PRODUCT_H
#define ITG_PRODUCT_H

enum product { PRODUCT_NONE = 0, PRODUCT_BULLPHISH, PRODUCT_DARKWEBID };

/* The product words in enum order from PRODUCT_BULLPHISH, NULL-terminated
 * (the choices of the pipeline's `product` key). */
extern const char *const product_names[];

/* "bullphish" / "darkwebid"; "none" for PRODUCT_NONE.  Static storage. */
const char *product_name(enum product p);
/* "BullPhish ID" / "Dark Web ID"; "" for PRODUCT_NONE.  Static storage. */
const char *product_title(enum product p);
/* The product of a word of product_names; PRODUCT_NONE for anything else
 * (NULL included). */
enum product product_parse(const char *s);

#endif
