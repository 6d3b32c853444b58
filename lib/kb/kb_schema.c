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
