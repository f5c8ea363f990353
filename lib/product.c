#include "product.h"

#include <string.h>

const char *const product_names[] = {"bullphish", "darkwebid", NULL};

static const char *const product_titles[] = {"BullPhish ID", "Dark Web ID"};

const char *product_name(enum product p)
{
	return p == PRODUCT_BULLPHISH || p == PRODUCT_DARKWEBID ? product_names[p - 1] : "none";
}

const char *product_title(enum product p)
{
	return p == PRODUCT_BULLPHISH || p == PRODUCT_DARKWEBID ? product_titles[p - 1] : "";
}

enum product product_parse(const char *s)
{
	for (int i = 0; s && product_names[i]; i++)
		if (strcmp(s, product_names[i]) == 0)
			return (enum product)(PRODUCT_BULLPHISH + i);
	return PRODUCT_NONE;
}
