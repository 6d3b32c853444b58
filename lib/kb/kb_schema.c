/*
 * Schema of the knowledge base (migration 26).  Released migrations are
 * never edited: a change is a new migration.
 *
 * kb_article holds every version of every article, one row each; row_id is
 * the key the text indexes use.  org_path is the article's org unit path
 * (copied: org paths are built from permanent codes and never change), so
 * the visibility test needs no join.  valid_from / valid_to are civil dates
 * "YYYY-MM-DD", compared as text.
 *
 * The text index holds approved versions only (inserted on approval, removed
 * on retirement), so a search never reads drafts or retired rows:
 *   SQLite:     kb_fts, an FTS5 table with the trigram tokenizer (3.34+), which
 *               matches any substring of 3 or more characters: Chinese has no
 *               spaces between words, so a word tokenizer would see whole
 *               sentences as one token.
 *   PostgreSQL: kb_text with a pg_trgm GIN index over the lower-cased text,
 *               which serves LIKE '%...%' (pg_trgm is a trusted extension: a
 *               database owner may create it).
 * kb_use and kb_miss are what contacts used and what they asked in vain.
 */
#include "kb_internal.h"

const char pcrm__schema_kb[] =
	"CREATE TABLE kb_article ("
	"  row_id {{id}},"
	"  article_id TEXT NOT NULL CHECK (length(article_id) = 36),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  status INTEGER NOT NULL CHECK (status IN (1, 2, 3)),"
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  org_path TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  category TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  keywords TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  format TEXT NOT NULL CHECK (format IN ('text', 'markdown')),"
	"  valid_from TEXT NOT NULL,"
	"  valid_to TEXT,"
	"  written_by TEXT NOT NULL,"
	"  written_at BIGINT NOT NULL,"
	"  UNIQUE (article_id, version)"
	");"
	"CREATE INDEX kb_article_by_status_category ON kb_article (status, category);"
	"CREATE TABLE kb_use ("
	"  org_path TEXT NOT NULL,"
	"  customer_no TEXT NOT NULL,"
	"  contact_id TEXT NOT NULL,"
	"  article_id TEXT NOT NULL,"
	"  at BIGINT NOT NULL,"
	"  PRIMARY KEY (customer_no, contact_id, article_id)"
	");"
	"CREATE INDEX kb_use_by_at ON kb_use (at);"
	"CREATE TABLE kb_miss ("
	"  org_path TEXT NOT NULL,"
	"  customer_no TEXT NOT NULL,"
	"  contact_id TEXT NOT NULL,"
	"  question TEXT NOT NULL,"
	"  at BIGINT NOT NULL,"
	"  PRIMARY KEY (customer_no, contact_id)"
	");"
	"CREATE INDEX kb_miss_by_at ON kb_miss (at);"
	"{{sqlite:CREATE VIRTUAL TABLE kb_fts USING fts5(title, summary, keywords, body, "
	"tokenize = 'trigram')}}"
	"{{postgresql:CREATE EXTENSION IF NOT EXISTS pg_trgm;"
	"CREATE TABLE kb_text (row_id BIGINT PRIMARY KEY REFERENCES kb_article (row_id),"
	"  text TEXT NOT NULL);"
	"CREATE INDEX kb_text_trgm ON kb_text USING gin (text gin_trgm_ops)}}";

/*
 * Migration 31: one text index for both stores, kept by the library
 * (kb_gram.c) instead of FTS5 trigrams and pg_trgm.  The trigram indexes
 * answered no two-character term, and pg_trgm extracts no Chinese trigrams
 * in a C-locale database; the bigram postings behave the same everywhere.
 * gram is two code points packed into one integer, fields the bit set of
 * the article fields holding it (KB_IN_* in kb_internal.h).  No foreign key
 * to kb_article: the library writes both in one transaction, and a key
 * check per posting would triple the cost of bulk loads.  The versions
 * approved before this migration are indexed by pcrm__schema_kb_grams_fill.
 */
const char pcrm__schema_kb_grams[] =
	"CREATE TABLE kb_gram ("
	"  gram BIGINT NOT NULL,"
	"  row_id BIGINT NOT NULL,"
	"  fields INTEGER NOT NULL CHECK (fields BETWEEN 1 AND 15),"
	"  PRIMARY KEY (gram, row_id)"
	"){{sqlite: WITHOUT ROWID}};"
	"CREATE INDEX kb_gram_by_row ON kb_gram (row_id);"
	"{{sqlite:DROP TABLE kb_fts}}"
	"{{postgresql:DROP TABLE kb_text}}";

/*
 * The same bigrams as kb_gram.c computes, in SQL, for the versions approved
 * before migration 31 (the migration's second part).  A gram is the code
 * points of characters i and i+1 of a field, ASCII letters lower-cased,
 * neither a space (9, 10, 13, 32, U+3000); fields ORs the field bits, which
 * SUM(DISTINCT) does as each field has one bit.  substr() on UTF-8 walks
 * from the start, so this is quadratic in a field's length: fine once, over
 * the few articles written before it; the library indexes each approval in
 * C.  tests/kb checks that both give the same rows.
 */
#define KB_CP(x) "{{sqlite:unicode}}{{postgresql:ascii}}(" x ")"
#define KB_LOWER_CP(x) "(CASE WHEN " KB_CP(x) " BETWEEN 65 AND 90 THEN " KB_CP(x) " + 32 ELSE " \
	KB_CP(x) " END)"
#define KB_NOT_SPACE(x) KB_CP(x) " NOT IN (9, 10, 13, 32, 12288)"
/*
 * The fields of the approved versions as (row_id, field bit, text), f, and
 * the character positions 1..the longest, n: what migrations 31 and 44
 * split into grams (the same text in both, so it is written once).
 */
#define KB_APPROVED_TEXTS                                                                   \
	"WITH RECURSIVE f (row_id, bit, t) AS ("                                              \
	"  SELECT row_id, 1, title FROM kb_article WHERE status = 2"                          \
	"  UNION ALL SELECT row_id, 2, summary FROM kb_article WHERE status = 2"              \
	"  UNION ALL SELECT row_id, 4, keywords FROM kb_article WHERE status = 2"             \
	"  UNION ALL SELECT row_id, 8, body FROM kb_article WHERE status = 2),"               \
	"n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"                                    \
	"  WHERE i < (SELECT COALESCE(MAX(length(t)), 0) FROM f)),"
const char pcrm__schema_kb_grams_fill[] =
	KB_APPROVED_TEXTS
	"c (row_id, bit, a, b) AS ("
	"  SELECT row_id, bit, substr(t, i, 1), substr(t, i + 1, 1) FROM f JOIN n ON i < length(t))"
	"INSERT INTO kb_gram (gram, row_id, fields)"
	"  SELECT CAST(" KB_LOWER_CP("a") " AS BIGINT) * 2097152 + " KB_LOWER_CP("b") ", row_id,"
	"    SUM(DISTINCT bit) FROM c WHERE " KB_NOT_SPACE("a") " AND " KB_NOT_SPACE("b")
	"  GROUP BY row_id, CAST(" KB_LOWER_CP("a") " AS BIGINT) * 2097152 + " KB_LOWER_CP("b");

/*
 * Migration 35: postings a top-k search can stop reading early, and the
 * approval as a work order.
 *
 * Each posting carries its score bound and what decides visibility, copied
 * from its version (which never changes them): `weight` the most one term
 * holding the gram can score in this version (title 4, summary 2, keywords
 * 2, body 1 for the fields holding it), `written_at` the ranking's tie
 * order, `org_path`, `valid_from`, `valid_to`.  Status needs no copy: only
 * approved versions have postings.  kb_gram_ranked walks one gram's
 * postings best bound first, in the ranking's tie order, skipping those the
 * actor may not see without reading kb_article (kb_search.c).
 * pcrm__schema_kb_ranked_fill, the migration's second part, fills the
 * postings written before it.
 *
 * kb_article.work_order_id is the work order of the version's approval
 * (workflow "kb_article", kb_approval.c); NULL for versions written before.
 */
const char pcrm__schema_kb_ranked[] =
	"ALTER TABLE kb_gram ADD COLUMN weight INTEGER NOT NULL DEFAULT 0"
	"  CHECK (weight BETWEEN 0 AND 9);"
	"ALTER TABLE kb_gram ADD COLUMN written_at BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE kb_gram ADD COLUMN org_path TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE kb_gram ADD COLUMN valid_from TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE kb_gram ADD COLUMN valid_to TEXT;"
	"CREATE INDEX kb_gram_ranked ON kb_gram (gram, weight DESC, written_at DESC, row_id DESC,"
	"  org_path, valid_from, valid_to);"
	"ALTER TABLE kb_article ADD COLUMN work_order_id TEXT;";

const char pcrm__schema_kb_ranked_fill[] =
	"UPDATE kb_gram SET"
	"  weight = (fields & 1) * 4 + ((fields & 2) / 2) * 2 + ((fields & 4) / 4) * 2"
	"    + (fields & 8) / 8,"
	"  written_at = (SELECT a.written_at FROM kb_article a WHERE a.row_id = kb_gram.row_id),"
	"  org_path = (SELECT a.org_path FROM kb_article a WHERE a.row_id = kb_gram.row_id),"
	"  valid_from = (SELECT a.valid_from FROM kb_article a WHERE a.row_id = kb_gram.row_id),"
	"  valid_to = (SELECT a.valid_to FROM kb_article a WHERE a.row_id = kb_gram.row_id)";

/*
 * Migration 44: single characters in the text index.  A unigram posting is
 * the character's code point alone (ASCII lower-cased; spaces left out),
 * below every bigram, with the same columns as a bigram's.  A one-character
 * term then has a posting list: the ranked scan bounds its score per article
 * from the field bits (exact for one character) instead of at its maximum 9,
 * which kept "topic word + 号" from stopping early, and a query of
 * one-character terms alone is answered from the index, not by a scan
 * (kb_search.c).  This part indexes the versions approved before it, with
 * the weight and visibility columns of migration 35 filled at once;
 * approvals are indexed in C (kb_gram.c) and tests/kb checks that both give
 * the same rows.  Quadratic in a field's length like migration 31's fill:
 * fine once.
 */
const char pcrm__schema_kb_chars[] =
	KB_APPROVED_TEXTS
	"c (row_id, bit, a) AS ("
	"  SELECT row_id, bit, substr(t, i, 1) FROM f JOIN n ON i <= length(t)),"
	"u (gram, row_id, fields) AS ("
	"  SELECT CAST(" KB_LOWER_CP("a") " AS BIGINT), row_id, SUM(DISTINCT bit) FROM c"
	"  WHERE " KB_NOT_SPACE("a") " GROUP BY row_id, CAST(" KB_LOWER_CP("a") " AS BIGINT))"
	"INSERT INTO kb_gram (gram, row_id, fields, weight, written_at, org_path, valid_from,"
	"  valid_to)"
	"  SELECT u.gram, u.row_id, u.fields, " PCRM__KB_WEIGHT_SQL("u.fields") ", a.written_at,"
	"    a.org_path, a.valid_from, a.valid_to FROM u JOIN kb_article a ON a.row_id = u.row_id";
