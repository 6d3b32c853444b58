/* The installation history of a metering point: every meter installed there, oldest first. */
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "metering_internal.h"
#include "store/store.h"

struct history_item {
	pcrm_meter_installation pub; /* strings point into doc */
	json_t *doc;
	char *json;
};

struct pcrm_meter_history {
	struct history_item *items;
	size_t count;
};

size_t pcrm_meter_history_count(const pcrm_meter_history *h)
{
	return h ? h->count : 0;
}

const pcrm_meter_installation *pcrm_meter_history_at(const pcrm_meter_history *h, size_t i)
{
	return h && i < h->count ? &h->items[i].pub : NULL;
}

void pcrm_meter_history_free(pcrm_meter_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->count; i++) {
		json_decref(h->items[i].doc);
		free(h->items[i].json);
	}
	free(h->items);
	free(h);
}

static unsigned int register_set(const json_t *names)
{
	unsigned int set = 0;
	size_t i;
	json_t *name;
	json_array_foreach(names, i, name) {
		pcrm_register reg;
		if (pcrm_register_parse(json_string_value(name), &reg) == PCRM_OK)
			set |= PCRM_REGISTER_BIT(reg);
	}
	return set;
}

/* Columns: doc, installed_at, removed_at, removal_doc, multiplier, digits. */
static int item_from_row(pcrm_rows *rows, struct history_item *item)
{
	json_error_t err;
	json_t *removal = NULL;
	memset(item, 0, sizeof(*item));
	item->doc = json_loads(pcrm__rows_text(rows, 0), 0, &err);
	if (!json_is_object(item->doc))
		return pcrm__error(PCRM_ESTORE, "stored meter document is not a JSON object: %s",
		                   err.text);
	item->pub.installed_at = pcrm__rows_int(rows, 1);
	item->pub.in_service = pcrm__rows_is_null(rows, 2);
	json_object_set_new(item->doc, "installed_at", json_integer(item->pub.installed_at));
	if (!item->pub.in_service) {
		item->pub.removed_at = pcrm__rows_int(rows, 2);
		removal = json_loads(pcrm__rows_text(rows, 3), 0, &err);
		if (!json_is_object(removal)) {
			json_decref(removal);
			return pcrm__error(PCRM_ESTORE, "stored removal is not a JSON object: %s", err.text);
		}
		json_object_set_new(item->doc, "removed_at", json_integer(item->pub.removed_at));
		json_object_set_new(item->doc, "removal", removal);
		item->pub.removal_reason = json_string_value(json_object_get(removal, "reason"));
	}
	item->pub.meter_no = json_string_value(json_object_get(item->doc, "meter_no"));
	item->pub.type = json_string_value(json_object_get(item->doc, "type"));
	item->pub.digits = (int)pcrm__rows_int(rows, 5);
	item->pub.registers = register_set(json_object_get(item->doc, "registers"));
	item->json = json_dumps(item->doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (!item->json)
		return pcrm__error_oom();
	item->pub.json = item->json;
	return pcrm__decimal_load(pcrm__rows_text(rows, 4), &item->pub.multiplier);
}

static int read_items(pcrm_rows *rows, pcrm_meter_history *h)
{
	size_t cap = 0;
	int rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		if (h->count == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct history_item *n = realloc(h->items, ncap * sizeof(*n));
			if (!n)
				return pcrm__error_oom();
			h->items = n;
			cap = ncap;
		}
		/* counted before it is filled, so a half-built item is freed with the list */
		rc = item_from_row(rows, &h->items[h->count++]);
		if (rc != PCRM_OK)
			return rc;
	}
	return rc;
}

int pcrm_meter_history_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                            pcrm_meter_history **out)
{
	static const char sql[] =
		"SELECT doc, installed_at, removed_at, removal_doc, multiplier, digits "
		"FROM meter_installation WHERE mp_no = $1 ORDER BY installed_at, id";
	struct pcrm__owner owner;
	pcrm_meter_history *h;
	pcrm_sql_value p[1] = { PCRM_SQL_S(mp_no) };
	pcrm_rows *rows;
	int active, rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("mp_no", mp_no);
	if (rc == PCRM_OK)
		rc = pcrm__point_owner(ctx, mp_no, &owner, &active);
	rc = pcrm__owner_authorize(ctx, actor, rc, &owner, PCRM_PERM_ARCHIVE_READ);
	if (rc != PCRM_OK)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return pcrm__error_oom();
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc == PCRM_OK) {
		rc = read_items(rows, h);
		pcrm__rows_free(rows);
	}
	if (rc < 0) {
		pcrm_meter_history_free(h);
		return rc;
	}
	*out = h;
	return PCRM_OK;
}
