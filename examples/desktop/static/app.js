// The agent desktop page: plain JavaScript against the service's JSON API
// (docs/desktop.md).  All text from the server goes in through textContent,
// never as HTML.
'use strict';

const STATE_NAMES = {
  logged_out: '未登录', not_ready: '示忙', ready: '空闲', reserved: '振铃',
  talking: '通话中', held: '保持', wrap_up: '话后处理', none: '无电话'
};
const REASON_NAMES = { login: '刚登录', missed: '未接', supervisor: '班长置忙', break: '小休', meal: '用餐', training: '培训', meeting: '会议' };
const SUBCATEGORIES = {
  service: ['attitude', 'standards', 'meter_reading', 'repair_service', 'counter_service', 'hotline_service'],
  business: ['billing', 'new_connection', 'tariff', 'payment', 'meter', 'change_of_use'],
  outage: ['planned_notice', 'unplanned', 'repeated_outage', 'restoration_time', 'arrears_disconnection'],
  supply_quality: ['voltage', 'frequent_interruption', 'harmonics'],
  grid_construction: ['line_route', 'substation_siting', 'compensation', 'construction_nuisance']
};
const SUB_NAMES = {
  attitude: '服务态度', standards: '服务规范', meter_reading: '抄表', repair_service: '抢修服务',
  counter_service: '营业厅服务', hotline_service: '热线服务', billing: '电费', new_connection: '业扩报装',
  tariff: '电价', payment: '缴费', meter: '电能表', change_of_use: '变更用电', planned_notice: '计划停电通知',
  unplanned: '故障停电', repeated_outage: '频繁停电', restoration_time: '复电时间', arrears_disconnection: '欠费停电',
  voltage: '电压', frequent_interruption: '频繁中断', harmonics: '谐波', line_route: '线路走廊',
  substation_siting: '变电站选址', compensation: '青苗赔偿', construction_nuisance: '施工扰民'
};

let csrf = null, me = null, events = null, customerNo = '', superTimer = null;
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    opts.headers['Content-Type'] = 'application/json';
    if (csrf) opts.headers['X-CSRF-Token'] = csrf;
    opts.body = JSON.stringify(body || {});
  }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({ error: 'bad_response', message: String(r.status) }));
  if (!r.ok) throw Object.assign(new Error(data.message || data.error), { status: r.status, data });
  return data;
}

function say(text, isError) {
  const m = $('message');
  m.textContent = text;
  m.className = 'message' + (isError ? ' error' : '');
}

function fillRows(tableId, rows) {
  const tbody = $(tableId).querySelector('tbody');
  tbody.replaceChildren();
  for (const cells of rows) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c == null ? '' : String(c);
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }
}

function showState(agent) {
  if (!agent) return;
  $('state-label').textContent = STATE_NAMES[agent.state] || agent.state;
  $('state-label').dataset.state = agent.state;
  $('state-reason').textContent = agent.reason ? '（' + (REASON_NAMES[agent.reason] || agent.reason) + '）' : '';
  $('btn-answer').disabled = agent.state !== 'reserved';
  $('btn-hangup').disabled = !(agent.state === 'talking' || agent.state === 'held');
  $('btn-wrap-up-end').disabled = agent.state !== 'wrap_up';
  $('btn-transfer').disabled = agent.state !== 'talking';
}

async function refreshState() {
  const m = await api('GET', '/api/me');
  showState(m.agent);
}

async function setState(state, reason) {
  try {
    const body = { state };
    if (reason) body.reason = reason;
    showState(await api('POST', '/api/state', body));
  } catch (e) { say('状态切换失败：' + e.message, true); }
}

async function screenPop(no) {
  customerNo = no;
  try {
    const p = await api('GET', '/api/screenpop?customer_no=' + encodeURIComponent(no));
    const c = p.customer, rows = [
      ['户号', c.customer_no], ['户名', c.name], ['用电类别', c.usage_class], ['电压等级', c.voltage_level],
      ['供电单位', c.org_unit], ['VIP 等级', c.vip_level || 0],
      ['电话', Object.values(c.phones || {}).join('，')], ['状态', c.status]
    ];
    const t = $('customer');
    t.replaceChildren();
    for (const [k, v] of rows) {
      const tr = document.createElement('tr'), th = document.createElement('th'), td = document.createElement('td');
      th.textContent = k; td.textContent = v == null ? '' : String(v);
      tr.append(th, td); t.appendChild(tr);
    }
    t.dataset.customer = c.customer_no;
    $('arrears-total').textContent = p.arrears.total;
    fillRows('arrears', p.arrears.items.map((i) => [i.account_no, i.period, i.amount, i.open_amount, i.days_past_due]));
    showBills(p.bills);
    fillRows('orders', p.work_orders.map((w) => [w.id, WORKFLOW_NAMES[w.workflow] || w.workflow, w.state, w.business_key, w.overdue ? '是' : '否']));
    fillRows('contacts', p.contacts.map((k) => [k.at, k.channel, k.agent, k.business_code, k.summary]));
  } catch (e) {
    say('查询客户失败：' + e.message, true);
  }
}

const WORKFLOW_NAMES = {
  complaint: '投诉', inquiry: '咨询', suggestion: '建议', report: '举报',
  fault_repair_urban: '故障报修（城区）', fault_repair_rural: '故障报修（农村）'
};

// The bill explanation panel: the bills as a list, the chosen one's lines with the service's explanations.
function showBills(bills) {
  const tbody = $('bills').querySelector('tbody');
  tbody.replaceChildren();
  bills.forEach((b, i) => {
    const tr = document.createElement('tr');
    for (const c of [b.period, b.energy_kwh, b.total, b.status === 'void' ? '已作废' : '有效', b.posted ? '已发行' : '未发行']) {
      const td = document.createElement('td');
      td.textContent = String(c);
      tr.appendChild(td);
    }
    tr.dataset.bill = b.bill_no;
    tr.addEventListener('click', () => explainBill(b, tr));
    tbody.appendChild(tr);
    if (i === 0) explainBill(b, tr);
  });
  if (!bills.length) $('bill-explain').hidden = true;
}

function explainBill(b, row) {
  for (const tr of $('bills').querySelectorAll('tbody tr')) tr.className = tr === row ? 'on' : '';
  $('bill-explain').hidden = false;
  $('bill-no').textContent = b.bill_no;
  $('bill-span').textContent = b.period_start + ' 至 ' + b.period_end;
  $('bill-tariff').textContent = b.tariff_id + ' v' + b.tariff_version;
  $('bill-total').textContent = b.total;
  fillRows('bill-lines', b.lines.map((l) => [l.label, l.explanation.slice(l.explanation.indexOf(': ') + 2), l.amount]));
}

// The screen pop's masking, for the number in the incoming-call banner too.
function maskNumber(n) {
  if (n.length <= 4) return n;
  const from = n.length > 7 ? 3 : 0;
  return n.slice(0, from) + '*'.repeat(n.length - 4 - from) + n.slice(-4);
}

function onEvent(type, data) {
  if (type === 'agent_state') {
    refreshState();
  } else if (type === 'call_offered') {
    $('incoming').hidden = false;
    $('incoming-caller').textContent = data.caller_number ? maskNumber(data.caller_number) : '未知号码';
    $('incoming-customer').textContent = data.customer_no || '未识别';
    $('incoming-queue').textContent = data.queue || '';
    say('来电振铃，请接听');
    if (data.customer_no) screenPop(data.customer_no);
  } else if (type === 'call_answered') {
    say('通话中');
  } else if (type === 'call_ended' || type === 'offer_withdrawn' || type === 'offer_missed') {
    $('incoming').hidden = true;
    say(type === 'call_ended' ? '通话结束，进入话后处理' : '来电已撤回');
  } else if (type === 'events_lost') {
    say('事件流丢失 ' + data.count + ' 条事件，已重新同步', true);
    refreshState();
  }
}

function openEvents() {
  if (events) events.close();
  events = new EventSource('/api/events');
  const types = ['agent_state', 'call_offered', 'call_answered', 'call_ended', 'offer_withdrawn',
    'offer_missed', 'call_abandoned', 'events_lost'];
  for (const t of types)
    events.addEventListener(t, (ev) => onEvent(t, JSON.parse(ev.data)));
}

async function refreshWallboard() {
  try {
    const s = await api('GET', '/api/supervisor');
    fillRows('wallboard', s.queues.map((q) => [q.queue, q.waiting, Math.round(q.longest_wait_ms / 1000),
      q.logged_in, q.ready, q.busy, q.offered, q.answered, q.abandoned,
      (q.service_level * 100).toFixed(1) + '%', q.asa_s.toFixed(1), q.aht_s.toFixed(1)]));
    fillRows('agents', s.agents.map((a) => [a.agent, a.name, STATE_NAMES[a.state] || a.state, a.answered,
      a.handled, (a.occupancy * 100).toFixed(1) + '%', '']));
    // The last cell of each agent's row: force ready / not ready / log out.
    $('agents').querySelectorAll('tbody tr').forEach((tr, i) => {
      const a = s.agents[i], cell = tr.lastChild;
      for (const [state, label] of [['ready', '示闲'], ['not_ready', '示忙'], ['logged_out', '签出']]) {
        const b = document.createElement('button');
        b.textContent = label;
        b.dataset.agent = a.agent;
        b.dataset.force = state;
        b.addEventListener('click', () => forceState(a.agent, state));
        cell.appendChild(b);
      }
    });
  } catch (e) { say('监控数据获取失败：' + e.message, true); }
}

async function forceState(agent, state) {
  try {
    const r = await api('POST', '/api/supervisor/force', { agent_id: agent, state });
    say('已将坐席 ' + r.agent_id + ' 置为' + (STATE_NAMES[r.agent.state] || r.agent.state));
    refreshWallboard();
  } catch (e) { say('强制状态失败：' + e.message, true); }
}

function showTab(superTab) {
  $('agent-page').hidden = superTab;
  $('super-page').hidden = !superTab;
  $('tab-agent').className = superTab ? '' : 'on';
  $('tab-super').className = superTab ? 'on' : '';
  clearInterval(superTimer);
  if (superTab) { refreshWallboard(); superTimer = setInterval(refreshWallboard, 2000); }
}

function fillSubcategories() {
  const sel = $('complaint-subcategory');
  sel.replaceChildren();
  for (const s of SUBCATEGORIES[$('complaint-category').value]) {
    const o = document.createElement('option');
    o.value = s; o.textContent = SUB_NAMES[s] || s;
    sel.appendChild(o);
  }
}

async function enterDesk(login) {
  csrf = login.csrf_token;
  me = await api('GET', '/api/me');
  $('login-view').hidden = true;
  $('desk-view').hidden = false;
  $('who').textContent = (me.name || me.id) + '（' + me.id + '）';
  $('simulator').hidden = !me.simulate;
  const supervisor = me.role === 'monitor' || me.role === 'admin';
  $('tab-super').hidden = !supervisor;
  showState(me.agent);
  const phone = me.agent.state !== 'none';
  for (const id of ['btn-ready', 'nr-reason', 'btn-not-ready', 'btn-answer', 'btn-hangup', 'btn-wrap-up-end',
    'transfer-queue', 'btn-transfer'])
    $(id).hidden = !phone;
  openEvents();
  if (me.agent.state === 'none' && supervisor) showTab(true);
}

document.addEventListener('DOMContentLoaded', () => {
  fillSubcategories();
  $('complaint-category').addEventListener('change', fillSubcategories);
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/api/login', { agent_id: $('login-id').value, password: $('login-password').value });
      await enterDesk(r);
    } catch (err) { $('login-error').textContent = '登录失败：工号或密码错误'; }
  });
  $('btn-ready').addEventListener('click', () => setState('ready'));
  $('btn-not-ready').addEventListener('click', () => setState('not_ready', $('nr-reason').value));
  $('btn-wrap-up-end').addEventListener('click', () => setState('wrap_up_end'));
  $('btn-answer').addEventListener('click', async () => {
    try { showState(await api('POST', '/api/call/answer')); } catch (e) { say('接听失败：' + e.message, true); }
  });
  $('btn-hangup').addEventListener('click', async () => {
    try { showState(await api('POST', '/api/call/hangup')); } catch (e) { say('挂机失败：' + e.message, true); }
  });
  $('btn-logout').addEventListener('click', async () => {
    try { await api('POST', '/api/logout'); } catch (e) { /* the session is gone either way */ }
    location.reload();
  });
  $('tab-agent').addEventListener('click', () => showTab(false));
  $('tab-super').addEventListener('click', () => showTab(true));
  $('lookup-form').addEventListener('submit', (e) => { e.preventDefault(); screenPop($('lookup-no').value.trim()); });
  $('contact-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!customerNo) { say('请先查询客户', true); return; }
    try {
      const r = await api('POST', '/api/contact', { customer_no: customerNo, business_code: $('contact-code').value,
        summary: $('contact-summary').value });
      say('接触记录已保存：' + r.id);
      $('contact-summary').value = '';
      screenPop(customerNo);
    } catch (err) { say('保存失败：' + err.message, true); }
  });
  $('complaint-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!customerNo) { say('请先查询客户', true); return; }
    try {
      const r = await api('POST', '/api/complaint', { customer_no: customerNo, category: $('complaint-category').value,
        subcategory: $('complaint-subcategory').value, nature: $('complaint-nature').value,
        urgency: $('complaint-urgency').value, description: $('complaint-description').value });
      say('投诉已受理，流水号 ' + r.serial);
      $('complaint-description').value = '';
      screenPop(customerNo);
    } catch (err) { say('提交失败：' + err.message, true); }
  });
  $('workorder-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!customerNo) { say('请先查询客户', true); return; }
    try {
      const r = await api('POST', '/api/workorder', { customer_no: customerNo, kind: $('workorder-kind').value,
        summary: $('workorder-summary').value });
      say((WORKFLOW_NAMES[r.workflow] || r.workflow) + '工单已受理：' + r.business_key);
      $('workorder-summary').value = '';
      screenPop(customerNo);
    } catch (err) { say('提交失败：' + err.message, true); }
  });
  $('fault-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!customerNo) { say('请先查询客户', true); return; }
    try {
      const r = await api('POST', '/api/fault', { customer_no: customerNo, fault: $('fault-kind').value,
        area: $('fault-area').value, description: $('fault-description').value });
      say('报修已受理：' + r.business_key);
      $('fault-description').value = '';
      screenPop(customerNo);
    } catch (err) { say('报修失败：' + err.message, true); }
  });
  $('btn-transfer').addEventListener('click', async () => {
    try {
      showState(await api('POST', '/api/call/transfer', { queue: $('transfer-queue').value }));
      $('incoming').hidden = true;
      say('已转接至' + $('transfer-queue').selectedOptions[0].textContent);
    } catch (e) { say('转接失败：' + e.message, true); }
  });
  $('sim-call').addEventListener('click', async () => {
    try {
      const r = await api('POST', '/api/sim/call', { caller_number: $('sim-caller').value, service: $('sim-service').value });
      say('模拟来电已接入：' + r.call_id);
    } catch (e) { say('模拟来电失败：' + e.message, true); }
  });
});
