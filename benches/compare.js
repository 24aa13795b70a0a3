// benches/compare.yaml's mapping as a plain Node.js script (readline, JSON.parse, JSON.stringify):
// `node benches/compare.js < records.ndjson > out.ndjson`.
// Output must be byte-identical to `flexmap apply benches/compare.yaml`; compare.sh checks it.
'use strict';
const readline = require('readline');

const LANGUAGES = { 'en-us': 'English', 'en-gb': 'English', 'es-mx': 'Spanish', 'fr-ca': 'French', 'zh-cn': 'Chinese' };
const YES = ['yes', 'y', 'true', '1', 'on'];
const NO = ['no', 'n', 'false', '0', 'off'];
const NUMERIC = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

// The first n characters (code points, not UTF-16 units).
function cut(s, n) {
  if (s.length <= n) return s;
  let count = 0;
  let at = 0;
  for (const ch of s) {
    if (count === n) return s.slice(0, at);
    count += 1;
    at += ch.length;
  }
  return s;
}
const blank = (v) => v == null || (typeof v === 'string' && v.trim() === '');
// A text attribute: nothing for blank values, at most 128 characters.
function text(v) {
  if (blank(v)) return undefined;
  const s = cut(v, 128);
  return s.trim() === '' ? undefined : s;
}
const tl = (v) => (v == null ? undefined : v.trim().toLowerCase());
function yesNo(v) {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (YES.includes(s)) return true;
    if (NO.includes(s)) return false;
  }
  return undefined;
}
function number(v) {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (!NUMERIC.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
const str = (v) => (v == null ? '' : v);

function map(r) {
  const task = r.task || {};
  const ivr = r.ivr || {};
  const crm = r.crm || {};
  const account = crm.account || {};
  const contact = crm.contact || {};
  const kase = crm.case || {};
  const tier = tl(account.tier);
  const priority = tl(kase.priority);
  const subject = kase.subject;
  const menu = ivr.menu_path;
  const lang = tl(ivr.language);
  const cid = contact.id;
  const bh = yesNo(ivr.business_hours);
  const existing = task.attributes && task.attributes.conversations && task.attributes.conversations.conversation_id;
  const conversations = {
    conversation_attribute_1: text(tier),
    conversation_attribute_2: text(priority),
    conversation_attribute_3: text(subject),
    conversation_label_4: text(account.id),
    conversation_label_5: text(kase.number),
    conversation_measure_1: number(account.open_cases),
    ivr_path: menu == null ? undefined : text(cut(menu.map((l) => str(l).trim()).filter((l) => l !== '').join(' ▸ '), 128)),
    ivr_time: number(ivr.duration_seconds),
    language: (lang !== undefined && LANGUAGES[lang]) || 'Other',
    in_business_hours: bh === undefined ? undefined : bh ? 'Yes' : 'No',
    initiated_by: 'Customer',
    abandoned: 'No',
    hang_up_by: 'Customer',
    conversation_id: text(existing != null ? existing : task.sid),
    campaign: yesNo(account.at_risk) === true && account.retention_campaign != null ? text(account.retention_campaign.trim()) : undefined,
    case: text(str(kase.number) + ' / ' + (priority === undefined ? 'none' : priority)),
  };
  const customers = {
    external_id: text(cid != null ? cid : contact.phone != null ? contact.phone : contact.email),
    name: text((str(contact.first_name).trim() + ' ' + str(contact.last_name).trim()).trim()),
    customer_link: cid != null ? 'https://acme.lightning.force.com/lightning/r/Contact/' + cid + '/view' : undefined,
    organization: account.name == null ? undefined : text(account.name.trim()),
    customer_manager: account.owner_name == null ? undefined : text(account.owner_name.trim()),
    email: contact.email == null ? undefined : text(contact.email.toLowerCase()),
    region: text(account.region),
  };
  const preview = subject == null ? undefined : cut(subject, 20);
  return {
    conversations,
    customers: Object.values(customers).some((v) => v !== undefined) ? customers : undefined,
    type: 'inbound_voice',
    vip: tier === undefined ? undefined : tier === 'gold' || tier === 'platinum',
    routing_language: lang === undefined ? undefined : LANGUAGES[lang] || 'English',
    vip_boost: tier === 'platinum' ? 50 : 0,
    menu_depth: menu == null ? 0 : menu.length,
    subject_preview: preview === undefined || preview.trim() === '' ? undefined : preview,
  };
}

const out = [];
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  out.push(JSON.stringify(map(JSON.parse(line))));
  if (out.length >= 4096) {
    process.stdout.write(out.join('\n') + '\n');
    out.length = 0;
  }
});
rl.on('close', () => {
  if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
});
