/*
 * plan.c - plan.ndjson lines in the key order of docs/plan-format.md, and
 * the figures of this plan for its manifest (written by lib/planfmt).  No
 * wall-clock time is written anywhere: the same inputs give the same bytes.
 */
#include "plan.h"

#include "fsutil.h"
#include "json.h"
#include "model.h"
#include "reasons.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define PLAN_IO_BUFFER ((size_t)256 << 10)

int plan_writer_open(struct plan_writer *w, const char *path, struct itg_err *e)
{
	int fd;

	memset(w, 0, sizeof *w);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, ITG_FILE_MODE);
	if (fd < 0 || !(w->fp = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot create %s: %s", path, strerror(errno));
	}
	/* 256 KiB, not glibc's 4 KiB (which setvbuf with a NULL buffer keeps):
	 * a large plan is 100 MB of lines */
	w->iobuf = xmalloc(PLAN_IO_BUFFER);
	setvbuf(w->fp, w->iobuf, _IOFBF, PLAN_IO_BUFFER);
	w->path = xstrdup(path);
	w->g = json_gen_new();
	w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	return 0;
}

int plan_writer_close(struct plan_writer *w, struct itg_err *e)
{
	int rc = 0;

	if (w->fp) {
		if (fflush(w->fp) != 0 || (!w->scratch && fsync(fileno(w->fp)) != 0) ||
		    ferror(w->fp))
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path,
				     strerror(errno));
		if (fclose(w->fp) != 0 && rc == 0)
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path,
				     strerror(errno));
		w->fp = NULL;
	}
	free(w->iobuf);
	w->iobuf = NULL;
	if (w->g)
		yajl_gen_free(w->g);
	w->g = NULL;
	buf_free(&w->line);
	return rc;
}

void plan_writer_abort(struct plan_writer *w)
{
	if (w->fp)
		fclose(w->fp);
	w->fp = NULL;
	free(w->iobuf);
	w->iobuf = NULL;
	if (w->path)
		unlink(w->path);
	free(w->path);
	w->path = NULL;
	if (w->g)
		yajl_gen_free(w->g);
	w->g = NULL;
	buf_free(&w->line);
}

void plan_writer_free(struct plan_writer *w)
{
	free(w->path);
	w->path = NULL;
	plan_writer_abort(w);
}

int plan_writer_end_line(struct plan_writer *w, struct itg_err *e)
{
	const unsigned char *out;
	size_t len;

	yajl_gen_map_close(w->g);
	if (yajl_gen_get_buf(w->g, &out, &len) != yajl_gen_status_ok) {
		yajl_gen_clear(w->g);
		yajl_gen_reset(w->g, NULL);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot generate a line of %s", w->path);
	}
	if (fwrite(out, 1, len, w->fp) != len || fputc('\n', w->fp) == EOF) {
		yajl_gen_clear(w->g);
		yajl_gen_reset(w->g, NULL);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path,
			       strerror(errno));
	}
	w->crc = (uint32_t)crc32(w->crc, out, (unsigned)len);
	w->crc = (uint32_t)crc32(w->crc, (const Bytef *)"\n", 1);
	w->bytes += len + 1;
	w->lines++;
	yajl_gen_clear(w->g);
	yajl_gen_reset(w->g, NULL);
	return 0;
}

/* Ends the object being generated and writes it as one line of action a. */
static int emit(struct plan_writer *w, enum plan_action a, struct itg_err *e)
{
	if (plan_writer_end_line(w, e) != 0)
		return -1;
	w->counts[a]++;
	return 0;
}

static void begin(struct plan_writer *w, enum plan_action a)
{
	yajl_gen_map_open(w->g);
	json_kv_str(w->g, PK_ACTION, plan_action_name(a));
}

int plan_writer_append(struct plan_writer *w, const struct plan_writer *part,
		       struct itg_err *e)
{
	int in = open(part->path, O_RDONLY | O_CLOEXEC);
	uint64_t copied = 0;
	int rc;

	if (in < 0)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", part->path,
			       strerror(errno));
	/* stdio's buffer first: the copy goes to the descriptor's offset */
	rc = fflush(w->fp) != 0 ? -1 : fs_copy_fd(in, fileno(w->fp), part->bytes, &copied);
	if (rc != 0) {
		int err = errno;
		close(in);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot %s %s: %s", rc == -2 ? "read" : "write",
			       rc == -2 ? part->path : w->path, strerror(err));
	}
	close(in);
	if (copied != part->bytes)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: it is shorter than written",
			       part->path);
	/* the part's CRC is known: combined, not computed a second time */
	w->crc = (uint32_t)crc32_combine(w->crc, part->crc, (z_off_t)part->bytes);
	w->bytes += part->bytes;
	w->lines += part->lines;
	for (int a = 0; a < PA_COUNT; a++)
		w->counts[a] += part->counts[a];
	w->domains_pending += part->domains_pending;
	w->domains_unimported += part->domains_unimported;
	return 0;
}

char *plan_write_ref(const char *itg_id)
{
	return xasprintf("new:%s", itg_id);
}

int plan_write_unlink(struct plan_writer *w, const char *org_id, const char *itg_id,
		const char *reason, const char *source, struct itg_err *e)
{
	begin(w, PA_UNLINK);
	json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_id);
	json_kv_str(w->g, PK_REASON, reason);
	json_kv_str(w->g, PK_SOURCE, source);
	return emit(w, PA_UNLINK, e);
}

int plan_write_link(struct plan_writer *w, const char *org_id, const char *itg_id, const char *match,
	      double score, const char *name, const char *itg_name, struct itg_err *e)
{
	begin(w, PA_LINK);
	json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_id);
	json_kv_str(w->g, PK_REASON, REASON_NAME_MATCH);
	json_kv_str(w->g, PK_MATCH, match);
	if (score >= 0) {
		char num[32];
		snprintf(num, sizeof num, "%.4f", score);
		json_kv_raw_number(w->g, PK_SCORE, num);
	}
	json_kv_str(w->g, PK_NAME, name);
	json_kv_str(w->g, PK_ITGLUE_NAME, itg_name);
	return emit(w, PA_LINK, e);
}

/* A review's candidates: their ids, then their names, as two arrays. */
static void candidates(struct plan_writer *w, size_t n, const char *const *ids,
		       const char *const *names)
{
	json_key(w->g, PK_CANDIDATES);
	yajl_gen_array_open(w->g);
	for (size_t i = 0; i < n; i++)
		json_str(w->g, ids[i]);
	yajl_gen_array_close(w->g);
	json_key(w->g, PK_CANDIDATE_NAMES);
	yajl_gen_array_open(w->g);
	for (size_t i = 0; i < n; i++)
		json_str(w->g, names[i]);
	yajl_gen_array_close(w->g);
}

int plan_write_review(struct plan_writer *w, const char *itg_id, const char *org_id, const char *match,
		const char *name, size_t n, const char *const *cand_ids,
		const char *const *cand_names, struct itg_err *e)
{
	begin(w, PA_REVIEW);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_id);
	json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	json_kv_str(w->g, PK_REASON, REASON_AMBIGUOUS_NAME);
	json_kv_str(w->g, PK_MATCH, match);
	json_kv_str(w->g, PK_NAME, name);
	candidates(w, n, cand_ids, cand_names);
	return emit(w, PA_REVIEW, e);
}

int plan_write_review_unconfirmed(struct plan_writer *w, const char *itg_id, const char *org_id,
				  const char *source, struct itg_err *e)
{
	begin(w, PA_REVIEW);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_id);
	json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	json_kv_str(w->g, PK_REASON, REASON_UNCONFIRMED_DELETION);
	json_kv_str(w->g, PK_SOURCE, source);
	json_key(w->g, PK_CANDIDATES);
	yajl_gen_array_open(w->g);
	yajl_gen_array_close(w->g);
	return emit(w, PA_REVIEW, e);
}

int plan_write_review_not_found(struct plan_writer *w, const char *name, size_t n,
				const char *const *cand_ids, const char *const *cand_names,
				struct itg_err *e)
{
	begin(w, PA_REVIEW);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, NULL);
	json_kv_str(w->g, PK_ORGANIZATION_ID, NULL);
	json_kv_str(w->g, PK_REASON, REASON_SELECT_NOT_FOUND);
	json_kv_str(w->g, PK_NAME, name);
	candidates(w, n, cand_ids, cand_names);
	return emit(w, PA_REVIEW, e);
}

int plan_write_rename(struct plan_writer *w, const char *org_id, const char *itg_id,
		const char *before, const char *after, struct itg_err *e)
{
	begin(w, PA_RENAME);
	json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_id);
	json_kv_str(w->g, PK_BEFORE, before);
	json_kv_str(w->g, PK_AFTER, after);
	return emit(w, PA_RENAME, e);
}

int plan_write_import_org(struct plan_writer *w, const struct plan_import_org *o, struct itg_err *e)
{
	char *ref = plan_write_ref(o->itg_id);

	begin(w, PA_IMPORT_ORGANIZATION);
	json_kv_str(w->g, PK_REF, ref);
	free(ref);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, o->itg_id);
	json_kv_str(w->g, PK_NAME, o->name);
	json_kv_str(w->g, PK_EMPLOYEE_COUNT, o->employee_count);
	json_kv_str(w->g, PK_INDUSTRY, o->industry);
	if (o->bullphish) {
		json_kv_bool(w->g, PK_PHISHING, o->phishing);
		json_kv_bool(w->g, PK_TRAINING, o->training);
		json_key(w->g, PK_LICENSE_LIMITED);
		yajl_gen_array_open(w->g);
		if (o->limited_phishing)
			json_str(w->g, PK_PHISHING);
		if (o->limited_training)
			json_str(w->g, PK_TRAINING);
		yajl_gen_array_close(w->g);
		if (o->limited_phishing || o->limited_training)
			json_kv_str(w->g, PK_REASON, REASON_LICENSE_LIMIT);
	}
	return emit(w, PA_IMPORT_ORGANIZATION, e);
}

int plan_write_skip_org(struct plan_writer *w, const char *itg_id, const char *reason,
		  const char *name, struct itg_err *e)
{
	begin(w, PA_SKIP);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_id);
	json_kv_str(w->g, PK_REASON, reason);
	json_kv_str(w->g, PK_NAME, name);
	return emit(w, PA_SKIP, e);
}

static void org_key(struct plan_writer *w, const char *org_id, const char *org_ref)
{
	if (org_id)
		json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	else
		json_kv_str(w->g, PK_ORGANIZATION_REF, org_ref);
}

int plan_write_import_user(struct plan_writer *w, const char *org_id, const char *org_ref,
		     const char *itg_org_id, const char *contact_id,
		     const struct user_fields *f, struct itg_err *e)
{
	begin(w, PA_IMPORT_USER);
	org_key(w, org_id, org_ref);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_org_id);
	json_kv_str(w->g, PK_ITGLUE_CONTACT_ID, contact_id);
	json_kv_str(w->g, PK_FIRST_NAME, f->first_name);
	json_kv_str(w->g, PK_LAST_NAME, f->last_name);
	json_kv_str(w->g, PK_EMAIL, f->email);
	json_kv_str(w->g, PK_GROUP, f->group);
	return emit(w, PA_IMPORT_USER, e);
}

int plan_write_link_user(struct plan_writer *w, const char *user_id, const char *org_id,
		   const char *contact_id, struct itg_err *e)
{
	begin(w, PA_LINK_USER);
	json_kv_str(w->g, PK_USER_ID, user_id);
	json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	json_kv_str(w->g, PK_ITGLUE_CONTACT_ID, contact_id);
	return emit(w, PA_LINK_USER, e);
}

static void user_fields_obj(struct plan_writer *w, const char *key, const struct user_fields *f)
{
	json_key(w->g, key);
	yajl_gen_map_open(w->g);
	if (f->first_name)
		json_kv_str(w->g, PK_FIRST_NAME, f->first_name);
	if (f->last_name)
		json_kv_str(w->g, PK_LAST_NAME, f->last_name);
	if (f->email)
		json_kv_str(w->g, PK_EMAIL, f->email);
	if (f->group)
		json_kv_str(w->g, PK_GROUP, f->group);
	yajl_gen_map_close(w->g);
}

int plan_write_update_user(struct plan_writer *w, const char *user_id, const char *org_id,
		     const char *contact_id, const struct user_fields *before,
		     const struct user_fields *after, struct itg_err *e)
{
	begin(w, PA_UPDATE_USER);
	json_kv_str(w->g, PK_USER_ID, user_id);
	json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	json_kv_str(w->g, PK_ITGLUE_CONTACT_ID, contact_id);
	user_fields_obj(w, PK_BEFORE, before);
	user_fields_obj(w, PK_AFTER, after);
	return emit(w, PA_UPDATE_USER, e);
}

int plan_write_unlink_user(struct plan_writer *w, const char *user_id, const char *org_id,
		     const char *contact_id, const char *reason, struct itg_err *e)
{
	begin(w, PA_UNLINK_USER);
	json_kv_str(w->g, PK_USER_ID, user_id);
	json_kv_str(w->g, PK_ORGANIZATION_ID, org_id);
	json_kv_str(w->g, PK_ITGLUE_CONTACT_ID, contact_id);
	json_kv_str(w->g, PK_REASON, reason);
	return emit(w, PA_UNLINK_USER, e);
}

int plan_write_skip_contact(struct plan_writer *w, const char *contact_id, const char *itg_org_id,
		      const char *reason, struct itg_err *e)
{
	begin(w, PA_SKIP);
	json_kv_str(w->g, PK_ITGLUE_CONTACT_ID, contact_id);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_org_id);
	json_kv_str(w->g, PK_REASON, reason);
	return emit(w, PA_SKIP, e);
}

int plan_write_import_domain(struct plan_writer *w, const char *org_id, const char *org_ref,
		       const char *itg_org_id, const char *domain_id, const char *domain,
		       const char *status, const char *reason, struct itg_err *e)
{
	begin(w, PA_IMPORT_DOMAIN);
	org_key(w, org_id, org_ref);
	json_kv_str(w->g, PK_ITGLUE_ORGANIZATION_ID, itg_org_id);
	json_kv_str(w->g, PK_ITGLUE_DOMAIN_ID, domain_id);
	json_kv_str(w->g, PK_DOMAIN, domain);
	json_kv_str(w->g, PK_STATUS, status);
	json_kv_str(w->g, PK_REASON, reason);
	if (reason)
		w->domains_unimported++;
	else
		w->domains_pending++;
	return emit(w, PA_IMPORT_DOMAIN, e);
}

/* ---- manifest ------------------------------------------------------------ */

int plan_write_manifest(const char *dir, const struct model *m, const struct plan_writer *w,
			const struct plan_writer *inventory, const char *snapshot_path,
			uint64_t settings_hash, int disconnect, int connect, struct itg_err *e)
{
	struct plan_manifest man = {0};
	int rc;

	man.pipeline = xstrdup(m->p->name);
	man.product = m->product;
	man.disconnect = disconnect;
	man.connect = connect;
	if (m->have_snapshot) {
		man.snapshot.path = xstrdup(snapshot_path);
		man.snapshot.region = xstrdup(m->man.region);
		man.snapshot.base_url = xstrdup(m->man.base_url);
		man.snapshot.started_at = xstrdup(m->man.started_at);
		man.snapshot.finished_at = xstrdup(m->man.finished_at);
		if (m->man.has_account && m->man.primary_org_id[0]) {
			man.snapshot.account_id = xstrdup(m->man.primary_org_id);
			man.snapshot.account_name = xstrdup(m->man.primary_org_name);
		}
		man.snapshot.manifest_hash = m->manifest_hash;
	}
	man.settings_hash = settings_hash;
	man.store_path = xstrdup(m->store.dir);
	/* every table the product reads, present or not, in table order */
	man.files = xcalloc(STORE_NTABLES, sizeof *man.files);
	for (int t = 0; t < STORE_NTABLES; t++) {
		if (!m->store.used[t])
			continue;
		man.files[man.nfiles].name = xstrdup(store_file_names[t]);
		man.files[man.nfiles++].fp = m->store.fp[t];
	}
	man.lines = w->lines;
	man.bytes = w->bytes;
	man.crc32 = w->crc;
	if (inventory) {
		man.inventory.present = 1;
		man.inventory.lines = inventory->lines;
		man.inventory.bytes = inventory->bytes;
		man.inventory.crc32 = inventory->crc;
	}
	memcpy(man.counts, w->counts, sizeof man.counts);
	man.domains_pending = w->domains_pending;
	man.domains_unimported = w->domains_unimported;
	rc = plan_manifest_write(dir, &man, e);
	plan_manifest_free(&man);
	return rc;
}
