/*
 * Rendering the last error in a language (pcrm_error_render()): English is
 * the message itself; Simplified Chinese comes from the catalogue below, a
 * template per reason id with {field} and {value-name} filled in.  A reason
 * without a template gets its status's text, the field and line, and the
 * English message as detail, so nothing the English says is lost.
 *
 * Templates are data: adding a language is adding a table (docs/errors.md).
 */
#include <stdio.h>
#include <string.h>

#include "error.h"

struct template {
	const char *reason;
	const char *text;
};

/* Specific reasons (docs/errors.md lists them with their English form). */
static const struct template zh_reasons[] = {
	{ "json.missing", "{field}：缺少必填项（应为 {expected}）" },
	{ "json.wrong_type", "{field}：类型不正确，应为 {expected}，实际为 {got}" },
	{ "json.unknown_key", "{field}：未知的键“{key}”（可用的键：{expected}）" },
	{ "file.unreadable", "{field}：无法打开文件（{detail}）" },
	{ "file.too_large", "{field}：文件超过 {max} 字节" },
	{ "file.nul_byte", "{field}：文件中含有 NUL 字节" },
	{ "text.not_utf8", "{field}：不是有效的 UTF-8 文本" },
	{ "text.control_character", "{field}：含有控制字符或不可见的格式字符（{character}）" },
	{ "text.blank", "{field}：不能为空" },
	{ "tariff.thresholds.not_increasing", "{field}：阶梯电量上限必须大于 0 且逐档递增" },
	{ "code.malformed", "{field}：必须是 1 至 {max} 个字母、数字或 - _ . 字符" },
	{ "permission.denied", "{field}：不存在，或不在单位 {org_unit} 的管辖范围内" },
	{ NULL, NULL }
};

/* One text per status, for reasons without a template of their own. */
static const char *zh_status(int status)
{
	switch ((pcrm_status)status) {
	case PCRM_OK: return "成功";
	case PCRM_EINVAL: return "输入无效";
	case PCRM_ENOTFOUND: return "对象不存在";
	case PCRM_ECONFLICT: return "数据已被他人修改，请重新读取后再操作";
	case PCRM_EDUPLICATE: return "编号已被占用";
	case PCRM_EPERM: return "无权执行此操作";
	case PCRM_ESTATE: return "当前状态不允许此操作";
	case PCRM_ESTORE: return "数据库错误";
	case PCRM_ECONNECTION: return "数据库连接中断";
	case PCRM_ERETRY: return "数据库繁忙，请重试";
	case PCRM_EIO: return "文件读写错误";
	case PCRM_ENOMEM: return "内存不足";
	case PCRM_EOVERFLOW: return "数值超出范围";
	case PCRM_ESCHEMA: return "数据库版本高于程序版本";
	case PCRM_EINTEGRITY: return "完整性校验失败，数据可能被篡改";
	case PCRM_EUNSUPPORTED: return "不支持此操作";
	case PCRM_ENOTDB: return "不是数据库文件";
	}
	return "未知错误";
}

/* Appends to buf[*used..size); 0 when it did not all fit (cut at a UTF-8 boundary). */
static int append(char *buf, size_t size, size_t *used, const char *text, size_t n)
{
	size_t room = size - *used - 1;
	if (n <= room) {
		memcpy(buf + *used, text, n);
		*used += n;
		buf[*used] = '\0';
		return 1;
	}
	while (room > 0 && ((unsigned char)text[room] & 0xC0) == 0x80)
		room--; /* do not split a character */
	memcpy(buf + *used, text, room);
	*used += room;
	buf[*used] = '\0';
	return 0;
}

static int fill(const char *tmpl, char *buf, size_t size)
{
	size_t used = 0;
	const char *p = tmpl;
	int fits = 1;

	buf[0] = '\0';
	while (*p && fits) {
		const char *open = strchr(p, '{'), *close;
		if (!open) {
			fits = append(buf, size, &used, p, strlen(p));
			break;
		}
		fits = append(buf, size, &used, p, (size_t)(open - p));
		close = strchr(open, '}');
		if (!close || !fits)
			break;
		{
			char name[32];
			const char *value;
			snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1), open + 1);
			if (strcmp(name, "field") == 0)
				value = pcrm_error_field();
			else if (strcmp(name, "detail") == 0)
				value = pcrm_error_last();
			else
				value = pcrm__error_value_named(name);
			if (!value || !*value)
				value = "?";
			fits = append(buf, size, &used, value, strlen(value));
		}
		p = close + 1;
	}
	return fits;
}

static int render_zh(char *buf, size_t size)
{
	const char *reason = pcrm_error_reason(), *field = pcrm_error_field();
	const char *line = pcrm__error_value_named("line");
	char head[512];

	for (const struct template *t = zh_reasons; t->reason; t++)
		if (strcmp(t->reason, reason) == 0) {
			if (!fill(t->text, head, sizeof(head)))
				return PCRM_EOVERFLOW;
			if (line && !strstr(t->text, "{line}")) {
				size_t used = 0;
				char with_line[600];
				snprintf(with_line, sizeof(with_line), "第 %s 行，", line);
				buf[0] = '\0';
				return append(buf, size, &used, with_line, strlen(with_line)) &&
				                       append(buf, size, &used, head, strlen(head)) ?
				               PCRM_OK :
				               PCRM_EOVERFLOW;
			}
			{
				size_t used = 0;
				buf[0] = '\0';
				return append(buf, size, &used, head, strlen(head)) ? PCRM_OK : PCRM_EOVERFLOW;
			}
		}
	/* no template: the status in Chinese, where, and the English detail */
	snprintf(head, sizeof(head), "%s%s%s%s%s%s%s（详情：", zh_status(pcrm_error_last_status()),
	         *field || line ? "：" : "", line ? "第 " : "", line ? line : "", line ? " 行" : "",
	         line && *field ? "，字段 " : (*field ? "字段 " : ""), field);
	{
		size_t used = 0;
		const char *msg = pcrm_error_last();
		buf[0] = '\0';
		return append(buf, size, &used, head, strlen(head)) &&
		                       append(buf, size, &used, msg, strlen(msg)) &&
		                       append(buf, size, &used, "）", strlen("）")) ?
		               PCRM_OK :
		               PCRM_EOVERFLOW;
	}
}

int pcrm_error_render(const char *lang, char *buf, size_t size)
{
	pcrm__error_state saved;
	int rc;

	if (!buf || size == 0)
		return PCRM_EINVAL; /* nowhere to write; the last error stays as it was */
	buf[0] = '\0';
	if (lang && strcmp(lang, "en") == 0) {
		size_t used = 0;
		const char *msg = pcrm_error_last();
		return append(buf, size, &used, msg, strlen(msg)) ? PCRM_OK : PCRM_EOVERFLOW;
	}
	if (lang && (strcmp(lang, "zh-CN") == 0 || strcmp(lang, "zh") == 0 ||
	             strcmp(lang, "zh_CN") == 0))
		return render_zh(buf, size);
	/* refusing must not replace the error the caller wants rendered */
	pcrm__error_save(&saved);
	rc = pcrm__error(PCRM_EINVAL, "lang: \"%.16s\" is not a language of the catalogue (en, zh-CN)",
	                 lang ? lang : "(null)");
	snprintf(buf, size, "%s", pcrm_error_last());
	pcrm__error_restore(&saved, saved.status);
	return rc;
}
