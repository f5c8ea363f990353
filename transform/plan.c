/*
 * plan.c - plan.ndjson lines in the key order of docs/plan-format.md, and
 * the plan manifest.  No wall-clock time is written anywhere: the same
 * inputs give the same bytes.
 */
#include "plan.h"

#include "fsutil.h"
#include "json.h"
#include "model.h"
#include "reasons.h"
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

const char *const plan_writer_action_names[PA_COUNT] = {
	ACT_UNLINK,      ACT_LINK,        ACT_REVIEW,          ACT_RENAME,
	ACT_IMPORT_ORGANIZATION, ACT_IMPORT_USER, ACT_LINK_USER, ACT_UPDATE_USER,
	ACT_UNLINK_USER, ACT_IMPORT_DOMAIN, ACT_SKIP,
};

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
	w->path = xstrdup(path);
	w->g = json_gen_new();
	w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	return 0;
}

int plan_writer_close(struct plan_writer *w, struct itg_err *e)
{
	int rc = 0;

	if (w->fp) {
		if (fflush(w->fp) != 0 || fsync(fileno(w->fp)) != 0 || ferror(w->fp))
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path,
				     strerror(errno));
		if (fclose(w->fp) != 0 && rc == 0)
			rc = err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path,
				     strerror(errno));
		w->fp = NULL;
	}
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

/* Ends the object being generated and writes it as one line. */
static int emit(struct plan_writer *w, enum plan_action a, struct itg_err *e)
{
	const unsigned char *out;
	size_t len;

	yajl_gen_map_close(w->g);
	if (yajl_gen_get_buf(w->g, &out, &len) != yajl_gen_status_ok)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot generate a plan line");
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
	w->counts[a]++;
	yajl_gen_clear(w->g);
	yajl_gen_reset(w->g, NULL);
	return 0;
}

static void begin(struct plan_writer *w, enum plan_action a)
{
	yajl_gen_map_open(w->g);
	json_kv_str(w->g, "action", plan_writer_action_names[a]);
}

int plan_writer_append(struct plan_writer *w, const struct plan_writer *part,
		       struct itg_err *e)
{
	FILE *in = fopen(part->path, "rb");
	char chunk[65536];
	size_t n;

	if (!in)
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read %s: %s", part->path,
			       strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
		if (fwrite(chunk, 1, n, w->fp) != n) {
			fclose(in);
			return err_set(e, ITG_EXIT_RUNTIME, "cannot write %s: %s", w->path,
				       strerror(errno));
		}
		w->crc = (uint32_t)crc32(w->crc, (const Bytef *)chunk, (unsigned)n);
		w->bytes += n;
	}
	if (ferror(in)) {
		fclose(in);
		return err_set(e, ITG_EXIT_RUNTIME, "cannot read %s", part->path);
	}
	fclose(in);
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
	json_kv_str(w->g, "organization_id", org_id);
	json_kv_str(w->g, "itglue_organization_id", itg_id);
	json_kv_str(w->g, "reason", reason);
	json_kv_str(w->g, "source", source);
	return emit(w, PA_UNLINK, e);
}

int plan_write_link(struct plan_writer *w, const char *org_id, const char *itg_id, const char *match,
	      double score, const char *name, const char *itg_name, struct itg_err *e)
{
	begin(w, PA_LINK);
	json_kv_str(w->g, "organization_id", org_id);
	json_kv_str(w->g, "itglue_organization_id", itg_id);
	json_kv_str(w->g, "reason", REASON_NAME_MATCH);
	json_kv_str(w->g, "match", match);
	if (score >= 0) {
		char num[32];
		snprintf(num, sizeof num, "%.4f", score);
		json_kv_raw_number(w->g, "score", num);
	}
	json_kv_str(w->g, "name", name);
	json_kv_str(w->g, "itglue_name", itg_name);
	return emit(w, PA_LINK, e);
}

int plan_write_review(struct plan_writer *w, const char *itg_id, const char *org_id, const char *match,
		const char *name, size_t n, const char *const *cand_ids,
		const char *const *cand_names, struct itg_err *e)
{
	begin(w, PA_REVIEW);
	json_kv_str(w->g, "itglue_organization_id", itg_id);
	json_kv_str(w->g, "organization_id", org_id);
	json_kv_str(w->g, "reason", REASON_AMBIGUOUS_NAME);
	json_kv_str(w->g, "match", match);
	json_kv_str(w->g, "name", name);
	json_key(w->g, "candidates");
	yajl_gen_array_open(w->g);
	for (size_t i = 0; i < n; i++)
		json_str(w->g, cand_ids[i]);
	yajl_gen_array_close(w->g);
	json_key(w->g, "candidate_names");
	yajl_gen_array_open(w->g);
	for (size_t i = 0; i < n; i++)
		json_str(w->g, cand_names[i]);
	yajl_gen_array_close(w->g);
	return emit(w, PA_REVIEW, e);
}

int plan_write_rename(struct plan_writer *w, const char *org_id, const char *itg_id,
		const char *before, const char *after, struct itg_err *e)
{
	begin(w, PA_RENAME);
	json_kv_str(w->g, "organization_id", org_id);
	json_kv_str(w->g, "itglue_organization_id", itg_id);
	json_kv_str(w->g, "before", before);
	json_kv_str(w->g, "after", after);
	return emit(w, PA_RENAME, e);
}

int plan_write_import_org(struct plan_writer *w, const struct plan_import_org *o, struct itg_err *e)
{
	char *ref = plan_write_ref(o->itg_id);

	begin(w, PA_IMPORT_ORGANIZATION);
	json_kv_str(w->g, "ref", ref);
	free(ref);
	json_kv_str(w->g, "itglue_organization_id", o->itg_id);
	json_kv_str(w->g, "name", o->name);
	json_kv_str(w->g, "employee_count", o->employee_count);
	json_kv_str(w->g, "industry", o->industry);
	if (o->bullphish) {
		json_kv_bool(w->g, "phishing", o->phishing);
		json_kv_bool(w->g, "training", o->training);
		json_key(w->g, "license_limited");
		yajl_gen_array_open(w->g);
		if (o->limited_phishing)
			json_str(w->g, "phishing");
		if (o->limited_training)
			json_str(w->g, "training");
		yajl_gen_array_close(w->g);
		if (o->limited_phishing || o->limited_training)
			json_kv_str(w->g, "reason", REASON_LICENSE_LIMIT);
	}
	return emit(w, PA_IMPORT_ORGANIZATION, e);
}

int plan_write_skip_org(struct plan_writer *w, const char *itg_id, const char *reason,
		  const char *name, struct itg_err *e)
{
	begin(w, PA_SKIP);
	json_kv_str(w->g, "itglue_organization_id", itg_id);
	json_kv_str(w->g, "reason", reason);
	json_kv_str(w->g, "name", name);
	return emit(w, PA_SKIP, e);
}

static void org_key(struct plan_writer *w, const char *org_id, const char *org_ref)
{
	if (org_id)
		json_kv_str(w->g, "organization_id", org_id);
	else
		json_kv_str(w->g, "organization_ref", org_ref);
}

int plan_write_import_user(struct plan_writer *w, const char *org_id, const char *org_ref,
		     const char *itg_org_id, const char *contact_id,
		     const struct user_fields *f, struct itg_err *e)
{
	begin(w, PA_IMPORT_USER);
	org_key(w, org_id, org_ref);
	json_kv_str(w->g, "itglue_organization_id", itg_org_id);
	json_kv_str(w->g, "itglue_contact_id", contact_id);
	json_kv_str(w->g, "first_name", f->first_name);
	json_kv_str(w->g, "last_name", f->last_name);
	json_kv_str(w->g, "email", f->email);
	json_kv_str(w->g, "group", f->group);
	return emit(w, PA_IMPORT_USER, e);
}

int plan_write_link_user(struct plan_writer *w, const char *user_id, const char *org_id,
		   const char *contact_id, struct itg_err *e)
{
	begin(w, PA_LINK_USER);
	json_kv_str(w->g, "user_id", user_id);
	json_kv_str(w->g, "organization_id", org_id);
	json_kv_str(w->g, "itglue_contact_id", contact_id);
	return emit(w, PA_LINK_USER, e);
}

static void user_fields_obj(struct plan_writer *w, const char *key, const struct user_fields *f)
{
	json_key(w->g, key);
	yajl_gen_map_open(w->g);
	if (f->first_name)
		json_kv_str(w->g, "first_name", f->first_name);
	if (f->last_name)
		json_kv_str(w->g, "last_name", f->last_name);
	if (f->email)
		json_kv_str(w->g, "email", f->email);
	if (f->group)
		json_kv_str(w->g, "group", f->group);
	yajl_gen_map_close(w->g);
}

int plan_write_update_user(struct plan_writer *w, const char *user_id, const char *org_id,
		     const char *contact_id, const struct user_fields *before,
		     const struct user_fields *after, struct itg_err *e)
{
	begin(w, PA_UPDATE_USER);
	json_kv_str(w->g, "user_id", user_id);
	json_kv_str(w->g, "organization_id", org_id);
	json_kv_str(w->g, "itglue_contact_id", contact_id);
	user_fields_obj(w, "before", before);
	user_fields_obj(w, "after", after);
	return emit(w, PA_UPDATE_USER, e);
}

int plan_write_unlink_user(struct plan_writer *w, const char *user_id, const char *org_id,
		     const char *contact_id, const char *reason, struct itg_err *e)
{
	begin(w, PA_UNLINK_USER);
	json_kv_str(w->g, "user_id", user_id);
	json_kv_str(w->g, "organization_id", org_id);
	json_kv_str(w->g, "itglue_contact_id", contact_id);
	json_kv_str(w->g, "reason", reason);
	return emit(w, PA_UNLINK_USER, e);
}

int plan_write_skip_contact(struct plan_writer *w, const char *contact_id, const char *itg_org_id,
		      const char *reason, struct itg_err *e)
{
	begin(w, PA_SKIP);
	json_kv_str(w->g, "itglue_contact_id", contact_id);
	json_kv_str(w->g, "itglue_organization_id", itg_org_id);
	json_kv_str(w->g, "reason", reason);
	return emit(w, PA_SKIP, e);
}

int plan_write_import_domain(struct plan_writer *w, const char *org_id, const char *org_ref,
		       const char *itg_org_id, const char *domain_id, const char *domain,
		       const char *status, const char *reason, struct itg_err *e)
{
	begin(w, PA_IMPORT_DOMAIN);
	org_key(w, org_id, org_ref);
	json_kv_str(w->g, "itglue_organization_id", itg_org_id);
	json_kv_str(w->g, "itglue_domain_id", domain_id);
	json_kv_str(w->g, "domain", domain);
	json_kv_str(w->g, "status", status);
	json_kv_str(w->g, "reason", reason);
	if (reason)
		w->domains_unimported++;
	else
		w->domains_pending++;
	return emit(w, PA_IMPORT_DOMAIN, e);
}

/* ---- manifest ------------------------------------------------------------ */

static void kv_hex64(yajl_gen g, const char *key, uint64_t v)
{
	char hex[17];

	snprintf(hex, sizeof hex, "%016" PRIx64, v);
	json_kv_str(g, key, hex);
}

int plan_write_manifest(const char *dir, const struct model *m, const struct plan_writer *w,
			const char *snapshot_path, uint64_t settings_hash, int disconnect,
			struct itg_err *e)
{
	yajl_gen g = json_gen_new();
	const unsigned char *out;
	size_t len;
	char crc[9];
	char *path;
	struct buf b = {0};
	int rc;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	json_kv_int(g, "format", 1);
	json_kv_str(g, "pipeline", m->p->name);
	json_kv_str(g, "product", product_name(m->product));
	json_kv_bool(g, "disconnect", disconnect);
	json_kv_str(g, "integration_status", disconnect ? "disconnected" : "connected");

	json_key(g, "snapshot");
	yajl_gen_map_open(g);
	json_kv_str(g, "path", snapshot_path);
	json_kv_str(g, "region", m->man.region);
	json_kv_str(g, "base_url", m->man.base_url);
	json_kv_str(g, "started_at", m->man.started_at);
	json_kv_str(g, "finished_at", m->man.finished_at);
	kv_hex64(g, "manifest_fnv1a64", m->manifest_hash);
	yajl_gen_map_close(g);

	kv_hex64(g, "settings_fnv1a64", settings_hash);

	json_key(g, "store");
	yajl_gen_map_open(g);
	json_kv_str(g, "path", m->store.dir);
	json_key(g, "files");
	yajl_gen_map_open(g);
	/* every table the product reads, present or not, in table order */
	for (int t = 0; t < STORE_NTABLES; t++) {
		if (!m->store.used[t])
			continue;
		json_key(g, store_file_names[t]);
		yajl_gen_map_open(g);
		json_kv_bool(g, "present", m->store.fp[t].present);
		json_kv_int(g, "bytes", (long long)m->store.fp[t].bytes);
		kv_hex64(g, "fnv1a64", m->store.fp[t].hash);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	json_key(g, "plan");
	yajl_gen_map_open(g);
	json_kv_str(g, "file", "plan.ndjson");
	json_kv_int(g, "lines", (long long)w->lines);
	json_kv_int(g, "bytes", (long long)w->bytes);
	snprintf(crc, sizeof crc, "%08" PRIx32, w->crc);
	json_kv_str(g, "crc32", crc);
	yajl_gen_map_close(g);

	json_key(g, "counts");
	yajl_gen_map_open(g);
	/* the order of docs/plan-format.md */
	static const enum plan_action order[PA_COUNT] = {
		PA_UNLINK,      PA_LINK,        PA_REVIEW,         PA_RENAME,
		PA_IMPORT_ORGANIZATION, PA_IMPORT_USER, PA_LINK_USER, PA_UPDATE_USER,
		PA_UNLINK_USER, PA_IMPORT_DOMAIN, PA_SKIP,
	};
	for (int i = 0; i < PA_COUNT; i++)
		json_kv_int(g, plan_writer_action_names[order[i]], (long long)w->counts[order[i]]);
	yajl_gen_map_close(g);

	json_key(g, "domains");
	yajl_gen_map_open(g);
	json_kv_int(g, DOMAIN_PENDING, (long long)w->domains_pending);
	json_kv_int(g, DOMAIN_UNIMPORTED, (long long)w->domains_unimported);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	yajl_gen_get_buf(g, &out, &len);
	buf_add(&b, out, len);
	if (!len || b.p[b.len - 1] != '\n')
		buf_addc(&b, '\n');
	yajl_gen_free(g);
	path = fs_join(dir, "manifest.json");
	rc = fs_write_atomic(path, b.p, b.len, ITG_FILE_MODE, e);
	free(path);
	buf_free(&b);
	return rc;
}
