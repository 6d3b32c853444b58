/*
 * Migration 45: the shipped kb_article workflow's transitions name the
 * permission they need (kb.approve) instead of approximating it with a role
 * list on top of workorder.handle, so monitors approve again.
 *
 * A store that defined data/workflows/kb-article.json as shipped with
 * schema 35 (its canonical text, below) has that version rewritten to the
 * current file, so its open drafts, which run on the version they were
 * opened with, are approved under the new rule too.  Rewritten in place
 * rather than stored as a new version because a new version would not
 * reach those drafts, and because the history stays explained: every
 * approval made through the knowledge base (pcrm_kb_article_approve(),
 * pcrm_kb_article_retire()) already needed kb.approve.  A version a unit
 * changed (a review time limit, say) is not this text and is left as it
 * is: docs/kb.md tells how to move it to the permission.
 *
 * The texts are JSON, not SQL: no value of anyone's data is spliced in.
 * tests/kb/test_kb.c stores the old text (tests/kb/kb-article-schema35.json)
 * and checks that this migration leaves exactly what defining today's file
 * stores.
 */
const char pcrm__schema_kb_approval_permission[] =
	"UPDATE workflow_def SET doc = "
	"'"
	"{\"description\":\"One version of a knowledge-base article (lib/kb, docs/kb.md): wri"
	"tten as a draft, approved (审核发布) by an actor with kb.approve in the article"
	"''s unit (each transition names that permission, checked by the engine in place of w"
	"orkorder.handle), retired (废止) when withdrawn or when a newer version is approve"
	"d. The library fires these events from pcrm_kb_article_approve() and pcrm_kb_article"
	"_retire() and sets the article''s status from the state reached, in the same transac"
	"tion.\",\"name\":\"kb_article\",\"sources\":[\"Marketing system plan 5.6.2 (知识"
	"库: articles written, reviewed and published); libpowercrm issue 23 (versions and a"
	"n approval step, draft -> approved -> retired, through the workflow engine). No time"
	" limit is published for reviewing an article; an integrator may store a version with"
	" one.\"],\"states\":[{\"initial\":true,\"name\":\"draft\",\"title\":\"草稿\"},{\"n"
	"ame\":\"approved\",\"title\":\"已发布\"},{\"final\":true,\"name\":\"retired\",\"t"
	"itle\":\"已废止\"}],\"title\":\"知识库文章审核\",\"transitions\":[{\"event"
	"\":\"approve\",\"from\":\"draft\",\"permission\":\"kb.approve\",\"title\":\"审核"
	"发布\",\"to\":\"approved\"},{\"event\":\"retire\",\"from\":\"approved\",\"permissi"
	"on\":\"kb.approve\",\"title\":\"废止\",\"to\":\"retired\"},{\"event\":\"supersede"
	"\",\"from\":\"approved\",\"guard\":{\"require\":[\"by_version\"]},\"permission\":\"k"
	"b.approve\",\"title\":\"新版本发布，旧版本废止\",\"to\":\"retired\"}]}"
	"' WHERE name = 'kb_article' AND doc = "
	"'"
	"{\"description\":\"One version of a knowledge-base article (lib/kb, docs/kb.md): wri"
	"tten as a draft, approved (审核发布) by an actor with kb.approve, retired (废"
	"止) when withdrawn or when a newer version is approved. The library fires these eve"
	"nts from pcrm_kb_article_approve() and pcrm_kb_article_retire() and sets the article"
	"''s status from the state reached, in the same transaction.\",\"name\":\"kb_article"
	"\",\"sources\":[\"Marketing system plan 5.6.2 (知识库: articles written, reviewed"
	" and published); libpowercrm issue 23 (versions and an approval step, draft -> appro"
	"ved -> retired, through the workflow engine). No time limit is published for reviewi"
	"ng an article; an integrator may store a version with one.\"],\"states\":[{\"initial"
	"\":true,\"name\":\"draft\",\"title\":\"草稿\"},{\"name\":\"approved\",\"title\":\""
	"已发布\"},{\"final\":true,\"name\":\"retired\",\"title\":\"已废止\"}],\"title"
	"\":\"知识库文章审核\",\"transitions\":[{\"event\":\"approve\",\"from\":\"draf"
	"t\",\"guard\":{\"roles\":[\"admin\",\"data_clerk\",\"system\"]},\"title\":\"审核"
	"发布\",\"to\":\"approved\"},{\"event\":\"retire\",\"from\":\"approved\",\"guard\":"
	"{\"roles\":[\"admin\",\"data_clerk\",\"system\"]},\"title\":\"废止\",\"to\":\"reti"
	"red\"},{\"event\":\"supersede\",\"from\":\"approved\",\"guard\":{\"require\":[\"by_v"
	"ersion\"],\"roles\":[\"admin\",\"data_clerk\",\"system\"]},\"title\":\"新版本发"
	"布，旧版本废止\",\"to\":\"retired\"}]}"
	"'";
