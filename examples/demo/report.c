/*
 * What the day comes to: a compact summary on the terminal, summary.json
 * (read by tests/demo), the data files and gnuplot script of the charts,
 * the charts themselves when gnuplot is installed, and index.html that
 * shows them with the summary.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "demo.h"

static FILE *open_out(const struct demo *d, const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", d->out_dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "demo: cannot write %s\n", path);
		exit(1);
	}
	return f;
}

static pcrm_decimal class_total(const struct demo *d)
{
	pcrm_decimal t = pcrm_decimal_from_int(0);
	for (int k = 0; k < CLASS_COUNT; k++)
		t = dec_add(t, d->st.class_revenue[k]);
	return t;
}

static const char *hh(int i, char *buf, size_t size)
{
	snprintf(buf, size, "%02d:%02d", i / 2, i % 2 * 30);
	return buf;
}

static void print_summary(const struct demo *d, FILE *f)
{
	const struct demo_stats *s = &d->st;
	char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX], t[8];
	fprintf(f, "\n== bills of October by usage class (posted %lld, %lld of zero not posted)\n",
	        (long long)s->posted, (long long)s->bills_zero);
	fprintf(f, "  %-20s %9s %9s %16s %18s\n", "usage class", "customers", "bills", "energy kWh",
	        "revenue yuan");
	for (int k = 0; k < CLASS_COUNT; k++)
		fprintf(f, "  %-20s %9lld %9lld %16s %18s\n", class_name(k), (long long)s->class_customers[k],
		        (long long)s->class_bills[k], money(s->class_energy[k], a, sizeof(a)),
		        money(s->class_revenue[k], b, sizeof(b)));
	fprintf(f, "  %-20s %9lld %9lld %16s %18s  (billing runs: %s)\n", "total", (long long)s->customers,
	        (long long)s->bills, "", money(class_total(d), a, sizeof(a)),
	        money(s->billed_total, b, sizeof(b)));

	fprintf(f, "\n== payments on 23 November and the bank's reconciliation\n");
	fprintf(f, "  counter %lld (%s yuan), online %lld (%s yuan), ", (long long)s->pay_counter,
	        money(s->paid_counter, a, sizeof(a)), (long long)s->pay_online,
	        money(s->paid_online, b, sizeof(b)));
	fprintf(f, "bank collection %lld (%s yuan)\n", (long long)s->pay_bank,
	        money(s->paid_bank, a, sizeof(a)));
	fprintf(f, "  ICBC file: %lld items, %lld matched; found %lld amount mismatch (%s), %lld missing on our side (%s),"
	        " %lld missing in the bank's file (%s)\n",
	        (long long)s->recon_lines, (long long)s->recon_matched, (long long)s->recon_mismatch,
	        s->found[0], (long long)s->recon_missing_ours, s->found[1], (long long)s->recon_missing_bank,
	        s->found[2]);
	int planted_found = strcmp(s->planted[0], s->found[0]) == 0 && strcmp(s->planted[1], s->found[1]) == 0 &&
	                    strcmp(s->planted[2], s->found[2]) == 0;
	fprintf(f, "  planted mismatches: %s\n", planted_found ? "all three found, nothing else" : "NOT all found");

	fprintf(f, "\n== the hotline: %lld offered, %lld answered, %lld abandoned; service level %.1f %% (target 80 %% in 20 s), ASA %.1f s\n",
	        (long long)s->calls_offered, (long long)s->calls_answered, (long long)s->calls_abandoned,
	        100.0 * s->sl_day, s->asa_day);
	fprintf(f, "  %d agents on %d shifts; per half hour from 07:00 to 21:00:\n", s->agents, s->shifts_used);
	fprintf(f, "  %-6s %8s %8s %8s %8s %8s %9s %9s\n", "start", "forecast", "offered", "answered",
	        "required", "staffed", "SL", "Erlang C");
	for (int i = 14; i < 42; i++)
		fprintf(f, "  %-6s %8.1f %8lld %8lld %8d %8d %8.1f%% %8.1f%%\n", hh(i, t, sizeof(t)),
		        s->forecast[i], (long long)s->offered[i], (long long)s->answered[i], s->required[i],
		        s->staffed[i], 100.0 * s->measured_sl[i], 100.0 * s->predicted_sl[i]);
	fprintf(f, "  calls by purpose:");
	for (int r = 0; r < REASON_COUNT; r++)
		fprintf(f, " %s %lld%s", reason_name(r), (long long)s->reason_calls[r], r + 1 < REASON_COUNT ? "," : "\n");

	fprintf(f, "\n== work orders: %lld repair orders, %lld new connections (%lld steps), %lld timers fired"
	        " in %lld ticks, %lld overdue at midnight\n",
	        (long long)s->repair_orders, (long long)s->connections, (long long)s->connection_steps,
	        (long long)s->timers, (long long)s->ticks, (long long)s->overdue_orders);
	fprintf(f, "  outage on %s: master order %s (%s), %lld callers' orders attached, %lld of them closed"
	        " with it, %lld late callers' orders worked on their own\n",
	        s->outage_ta, s->outage_master[0] ? s->outage_master : "-",
	        s->outage_master_status[0] ? s->outage_master_status : "-", (long long)s->outage_children,
	        (long long)s->outage_children_closed, (long long)s->outage_late);
	if (s->overdue_orders) {
		fprintf(f, "  overdue by workflow:");
		for (int k = 0; k < 8 && s->overdue_workflow[k][0]; k++)
			fprintf(f, " %s %lld", s->overdue_workflow[k], (long long)s->overdue_count[k]);
		fprintf(f, "\n");
	}
	fprintf(f, "\n== complaints: %lld from Friday, %lld filed today; %lld replied and %lld visited today;"
	        " %lld escalated by their time limits; %lld closed, %lld open\n",
	        (long long)s->tickets_backlog, (long long)s->tickets_filed, (long long)s->tickets_replied,
	        (long long)s->tickets_visited, (long long)s->tickets_escalated, (long long)s->tickets_closed,
	        (long long)s->tickets_open);
	complaints_print(d, f);
	fprintf(f, "\n== audit chain: %lld entries, %s\n", (long long)s->audit_entries,
	        s->audit_ok ? "verified intact" : "BROKEN");
}

static void write_json(const struct demo *d, double seconds)
{
	const struct demo_stats *s = &d->st;
	char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX], t[8];
	FILE *f = open_out(d, "summary.json");
	fprintf(f, "{\n  \"customers\": %lld, \"seed\": %llu, \"backend\": \"%s\", \"wall_seconds\": %.1f,\n",
	        (long long)d->n_customers, (unsigned long long)d->seed, pcrm_ctx_backend(d->ctx), seconds);
	fprintf(f, "  \"area\": {\"customers\": %lld, \"accounts\": %lld, \"meters\": %lld, \"readings\": %lld,"
	        " \"vip\": %lld, \"transformer_areas\": %d},\n",
	        (long long)s->customers, (long long)s->accounts, (long long)s->meters, (long long)s->readings,
	        (long long)s->vips, d->ta_count);
	fprintf(f, "  \"billing\": {\"bills\": %lld, \"billed_total\": \"%s\", \"posted\": %lld, \"zero_bills\": %lld,"
	        " \"posted_total\": \"%s\", \"by_class_total\": \"%s\",\n    \"by_class\": [",
	        (long long)s->bills, money(s->billed_total, a, sizeof(a)), (long long)s->posted,
	        (long long)s->bills_zero, money(s->posted_total, b, sizeof(b)), money(class_total(d), c, sizeof(c)));
	for (int k = 0; k < CLASS_COUNT; k++)
		fprintf(f, "%s{\"class\": \"%s\", \"customers\": %lld, \"bills\": %lld, \"energy_kwh\": \"%s\", \"revenue\": \"%s\"}",
		        k ? ", " : "", class_name(k), (long long)s->class_customers[k], (long long)s->class_bills[k],
		        money(s->class_energy[k], a, sizeof(a)), money(s->class_revenue[k], b, sizeof(b)));
	fprintf(f, "]},\n");
	fprintf(f, "  \"payments\": {\"counter\": %lld, \"counter_total\": \"%s\", \"online\": %lld, \"online_total\": \"%s\",",
	        (long long)s->pay_counter, money(s->paid_counter, a, sizeof(a)), (long long)s->pay_online,
	        money(s->paid_online, b, sizeof(b)));
	fprintf(f, " \"bank\": %lld, \"bank_total\": \"%s\"},\n", (long long)s->pay_bank, money(s->paid_bank, a, sizeof(a)));
	fprintf(f, "  \"reconciliation\": {\"items\": %lld, \"matched\": %lld, \"amount_mismatch\": %lld,"
	        " \"missing_ours\": %lld, \"missing_bank\": %lld,\n    \"planted\": {\"amount_mismatch\": \"%s\","
	        " \"missing_ours\": \"%s\", \"missing_bank\": \"%s\"},\n    \"found\": {\"amount_mismatch\": \"%s\","
	        " \"missing_ours\": \"%s\", \"missing_bank\": \"%s\"}},\n",
	        (long long)s->recon_lines, (long long)s->recon_matched, (long long)s->recon_mismatch,
	        (long long)s->recon_missing_ours, (long long)s->recon_missing_bank, s->planted[0], s->planted[1],
	        s->planted[2], s->found[0], s->found[1], s->found[2]);
	fprintf(f, "  \"calls\": {\"offered\": %lld, \"answered\": %lld, \"abandoned\": %lld, \"service_level\": %.4f,"
	        " \"asa_s\": %.1f, \"agents\": %d, \"contacts\": %lld, \"by_purpose\": {",
	        (long long)s->calls_offered, (long long)s->calls_answered, (long long)s->calls_abandoned, s->sl_day,
	        s->asa_day, s->agents, (long long)s->contacts);
	for (int r = 0; r < REASON_COUNT; r++)
		fprintf(f, "%s\"%s\": %lld", r ? ", " : "", reason_name(r), (long long)s->reason_calls[r]);
	fprintf(f, "},\n    \"half_hours\": [\n");
	for (int i = 0; i < HALF_HOURS; i++)
		fprintf(f, "      {\"start\": \"%s\", \"forecast\": %.2f, \"offered\": %lld, \"answered\": %lld,"
		        " \"abandoned\": %lld, \"required\": %d, \"staffed\": %d, \"service_level\": %.4f,"
		        " \"erlang_c\": %.4f}%s\n",
		        hh(i, t, sizeof(t)), s->forecast[i], (long long)s->offered[i], (long long)s->answered[i],
		        (long long)s->abandoned[i], s->required[i], s->staffed[i], s->measured_sl[i],
		        s->predicted_sl[i], i + 1 < HALF_HOURS ? "," : "");
	fprintf(f, "    ]},\n");
	fprintf(f, "  \"work_orders\": {\"repair\": %lld, \"outage_master\": \"%s\", \"outage_area\": \"%s\","
	        " \"outage_master_status\": \"%s\", \"outage_attached\": %lld, \"outage_children\": %lld,"
	        " \"outage_children_closed_with_master\": %lld, \"outage_late_callers\": %lld,"
	        " \"new_connections\": %lld, \"connection_steps\": %lld,"
	        " \"ticks\": %lld, \"timers\": %lld, \"overdue\": %lld, \"overdue_by_workflow\": {",
	        (long long)s->repair_orders, s->outage_master, s->outage_ta, s->outage_master_status,
	        (long long)s->outage_attached, (long long)s->outage_children,
	        (long long)s->outage_children_closed, (long long)s->outage_late,
	        (long long)s->connections, (long long)s->connection_steps, (long long)s->ticks,
	        (long long)s->timers, (long long)s->overdue_orders);
	for (int k = 0; k < 8 && s->overdue_workflow[k][0]; k++)
		fprintf(f, "%s\"%s\": %lld", k ? ", " : "", s->overdue_workflow[k], (long long)s->overdue_count[k]);
	fprintf(f, "}},\n");
	complaints_json(d, f);
	fprintf(f, "  \"audit\": {\"entries\": %lld, \"verified\": %s}\n}\n", (long long)s->audit_entries,
	        s->audit_ok ? "true" : "false");
	fclose(f);
}

static void write_data(const struct demo *d)
{
	const struct demo_stats *s = &d->st;
	char a[PCRM_DECIMAL_STRING_MAX], t[8];
	FILE *f = open_out(d, "calls.dat");
	fprintf(f, "# start\thalf_hour\tforecast\toffered\tanswered\tabandoned\trequired\tstaffed\tservice_level\terlang_c\n");
	for (int i = 0; i < HALF_HOURS; i++)
		fprintf(f, "%s\t%d\t%.2f\t%lld\t%lld\t%lld\t%d\t%d\t%.4f\t%.4f\n", hh(i, t, sizeof(t)), i,
		        s->forecast[i], (long long)s->offered[i], (long long)s->answered[i],
		        (long long)s->abandoned[i], s->required[i], s->staffed[i], s->measured_sl[i],
		        s->predicted_sl[i]);
	fclose(f);
	f = open_out(d, "revenue.dat");
	fprintf(f, "# class\tlabel\trevenue_yuan\tbills\n");
	for (int k = 0; k < CLASS_COUNT; k++)
		fprintf(f, "%s\t%s\t%s\t%lld\n", class_name(k), class_label(k),
		        money(s->class_revenue[k], a, sizeof(a)), (long long)s->class_bills[k]);
	fclose(f);
	f = open_out(d, "complaints.dat");
	fprintf(f, "# category\treceived\toverdue_open\n");
	complaints_chart_data(d, f);
	fclose(f);
}

static const char gnuplot_script[] =
	"# Renders the demo's charts from its data files: gnuplot charts.gp (in this folder).\n"
	"font = 'WenQuanYi Micro Hei,10'\n"
	"if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
	"  set terminal pngcairo size 900,420 font font\n"
	"} else {\n"
	"  set terminal png size 900,420 font '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc' 10\n"
	"}\n"
	"set datafile separator '\\t'\n"
	"set key top left opaque box lc rgb '#cccccc'\n"
	"set grid ytics lc rgb '#dddddd'\n"
	"set xtics rotate by 90 right font ',8'\n"
	"set style fill solid 0.6 border -1\n"
	"\n"
	"set output 'calls.png'\n"
	"set title '95598 热线 2026-11-23: 每半小时呼入量与坐席 (calls offered and agents per half hour)'\n"
	"set ylabel '呼入量 calls'\n"
	"set y2label '坐席 agents'\n"
	"set ytics nomirror\n"
	"set y2tics\n"
	"set yrange [0:*]\n"
	"set y2range [0:agents_max * 1.25 + 1]\n"
	"set boxwidth 0.8\n"
	"plot 'calls.dat' using 2:4:xtic(1) with boxes lc rgb '#7fa7d9' title '呼入 offered', \\\n"
	"     '' using 2:3 with lines lw 2 lc rgb '#1f4e8c' title '预测 forecast', \\\n"
	"     '' using 2:7 axes x1y2 with steps lw 2 lc rgb '#d95f02' title '需求坐席 required (Erlang C)', \\\n"
	"     '' using 2:8 axes x1y2 with steps lw 2 dt 2 lc rgb '#1b9e77' title '排班坐席 staffed (shift plan)'\n"
	"unset y2tics\n"
	"unset y2label\n"
	"\n"
	"set output 'service_level.png'\n"
	"set key bottom left opaque box lc rgb '#cccccc'\n"
	"set title '服务水平 service level per half hour: simulated vs Erlang C, target 80% in 20 s'\n"
	"set ylabel '20 秒内接通率'\n"
	"set format y '%g'\n"
	"set yrange [0:1.05]\n"
	"plot 'calls.dat' using 2:9:xtic(1) with linespoints lw 2 pt 7 ps 0.6 lc rgb '#1f4e8c' title '模拟 simulated (ACD)', \\\n"
	"     '' using 2:10 with lines lw 2 dt 2 lc rgb '#d95f02' title 'Erlang C 预测 predicted', \\\n"
	"     0.8 with lines lc rgb '#999999' title '目标 target 0.80'\n"
	"set autoscale y\n"
	"set xtics norotate font ',10'\n"
	"\n"
	"set output 'complaints.png'\n"
	"set key top right opaque box lc rgb '#cccccc'\n"
	"set title '投诉 complaints by category (2026-11-20 .. 23)'\n"
	"set ylabel '件 tickets'\n"
	"set boxwidth 0.6\n"
	"set yrange [0:*]\n"
	"plot 'complaints.dat' using 0:2:xtic(1) with boxes lc rgb '#7fa7d9' title '受理 received', \\\n"
	"     '' using 0:3 with boxes lc rgb '#d95f02' title '超期未复 overdue open'\n"
	"\n"
	"set output 'revenue.png'\n"
	"set title '10 月电费 October revenue by usage class (万元 = 10,000 yuan, log scale)'\n"
	"set ylabel '万元'\n"
	"unset key\n"
	"set logscale y\n"
	"set yrange [1:*]\n"
	"plot 'revenue.dat' using 0:($3/10000):xtic(2) with boxes lc rgb '#1b9e77', \\\n"
	"     '' using 0:($3/10000):(sprintf('%.1f', $3/10000)) with labels offset 0,0.8\n";

/* Renders the charts; without gnuplot the report keeps its data files and tables. */
static int render_charts(const struct demo *d)
{
	int agents_max = 0;
	for (int i = 0; i < HALF_HOURS; i++) {
		agents_max = d->st.staffed[i] > agents_max ? d->st.staffed[i] : agents_max;
		agents_max = d->st.required[i] > agents_max ? d->st.required[i] : agents_max;
	}
	FILE *f = open_out(d, "charts.gp");
	fprintf(f, "agents_max = %d\n", agents_max);
	fputs(gnuplot_script, f);
	fclose(f);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "cd '%s' && gnuplot charts.gp 2> gnuplot.log", d->out_dir);
	int rc = system(cmd);
	if (rc != 0) {
		fprintf(stderr, "demo: gnuplot failed or is missing (see %s/gnuplot.log; `make deps` installs it):"
		                " the report has its data files and tables only\n", d->out_dir);
		return 0;
	}
	return 1;
}

static void write_html(const struct demo *d, int charts)
{
	FILE *f = open_out(d, "index.html");
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n"
	           "<title>libpowercrm demo: a day at a 95598 service centre</title>\n"
	           "<style>body{font-family:'WenQuanYi Micro Hei',sans-serif;max-width:960px;margin:2em auto;}"
	           "pre{background:#f6f6f6;padding:1em;font-size:12px;overflow-x:auto}img{max-width:100%%}</style>\n"
	           "</head><body>\n<h1>国网济南供电公司 95598 — 2026-11-23</h1>\n"
	           "<p>%lld customers, seed %llu, store %s. Everything below was computed by libpowercrm "
	           "through its public API (examples/demo); the figures are in <a href=\"summary.json\">summary.json</a>, "
	           "the chart data in calls.dat, revenue.dat and complaints.dat.</p>\n",
	        (long long)d->n_customers, (unsigned long long)d->seed, pcrm_ctx_backend(d->ctx));
	if (charts)
		fprintf(f, "<h2>Calls and agents</h2><img src=\"calls.png\" alt=\"calls per half hour\">\n"
		           "<h2>Service level</h2><img src=\"service_level.png\" alt=\"service level\">\n"
		           "<h2>Revenue by usage class</h2><img src=\"revenue.png\" alt=\"revenue\">\n"
		           "<h2>Complaints</h2><img src=\"complaints.png\" alt=\"complaints\">\n");
	else
		fprintf(f, "<p><b>gnuplot was not available: no charts.</b> <code>make deps</code> installs it.</p>\n");
	fprintf(f, "<h2>Summary</h2>\n<pre>");
	/* the terminal summary, HTML-escaped */
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	print_summary(d, m);
	fclose(m);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '<')
			fputs("&lt;", f);
		else if (text[i] == '>')
			fputs("&gt;", f);
		else if (text[i] == '&')
			fputs("&amp;", f);
		else
			fputc(text[i], f);
	}
	free(text);
	fprintf(f, "</pre>\n</body></html>\n");
	fclose(f);
}

void report_write(struct demo *d, double seconds)
{
	write_json(d, seconds);
	write_data(d);
	int charts = render_charts(d);
	write_html(d, charts);
	if (!d->quiet) {
		print_summary(d, stdout);
		printf("\nreport: %s/index.html (%s)\n", d->out_dir, charts ? "with charts" : "no charts: gnuplot missing");
	}
}
