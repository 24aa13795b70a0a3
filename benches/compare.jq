# benches/compare.yaml's mapping in jq (1.6 or later): `jq -c -f benches/compare.jq`.
# Output must be byte-identical to `flexmap apply benches/compare.yaml`; compare.sh checks it.
# Whitespace in the generated records is ASCII space, tab or newline (no regex: jq 1.6's is slow).
def ws: . == " " or . == "\t" or . == "\n" or . == "\r";
def trim: until(.[0:1] | ws | not; .[1:]) | until(.[-1:] | ws | not; .[:-1]);
def cut($n): if length > $n then .[0:$n] else . end;
def blank: . == null or (type == "string" and (trim == ""));
# A text attribute: nothing for blank values, at most 128 characters.
def text: if blank then null else (cut(128) | if trim == "" then null else . end) end;
def tl: if . == null then null else trim | ascii_downcase end;
def lang: {"en-us": "English", "en-gb": "English", "es-mx": "Spanish", "fr-ca": "French", "zh-cn": "Chinese"}[.];
def yes_no:
  if type == "boolean" then .
  elif type == "number" then (if . == 1 then true elif . == 0 then false else null end)
  elif type == "string" then (trim | ascii_downcase
    | if IN("yes", "y", "true", "1", "on") then true elif IN("no", "n", "false", "0", "off") then false else null end)
  else null end;
def number:
  if type == "number" then .
  elif type == "string" then (trim | if . == "" or (explode | any(. < 43 or . > 101 or . == 44 or . == 47 or (. > 57 and . < 69) or (. > 69 and . < 101))) then null else (try tonumber catch null) end)
  else null end;
def clean: with_entries(select(.value != null));
def str: if . == null then "" else . end;

. as $r
| ($r.crm.account.tier | tl) as $tier
| ($r.crm.case.priority | tl) as $priority
| ($r.crm.case.subject) as $subject
| ($r.ivr.menu_path) as $menu
| ($r.ivr.language | tl) as $lang
| ($r.crm.contact.id) as $cid
| {
    conversations: ({
      conversation_attribute_1: ($tier | text),
      conversation_attribute_2: ($priority | text),
      conversation_attribute_3: ($subject | text),
      conversation_label_4: ($r.crm.account.id | text),
      conversation_label_5: ($r.crm.case.number | text),
      conversation_measure_1: ($r.crm.account.open_cases | number),
      ivr_path: (if $menu == null then null else [$menu[] | str | trim | select(. != "")] | join(" ▸ ") | cut(128) | text end),
      ivr_time: ($r.ivr.duration_seconds | number),
      language: ((if $lang == null then null else $lang | lang end) // "Other"),
      in_business_hours: ($r.ivr.business_hours | yes_no | if . == null then null elif . then "Yes" else "No" end),
      initiated_by: "Customer",
      abandoned: "No",
      hang_up_by: "Customer",
      conversation_id: (($r.task.attributes.conversations.conversation_id // $r.task.sid) | text),
      campaign: (if ($r.crm.account.at_risk | yes_no) == true then ($r.crm.account.retention_campaign | if . == null then null else trim | text end) else null end),
      case: ((($r.crm.case.number | str) + " / " + ($priority // "none")) | text)
    } | clean),
    customers: ({
      external_id: (($cid // $r.crm.contact.phone // $r.crm.contact.email) | text),
      name: ((($r.crm.contact.first_name | str | trim) + " " + ($r.crm.contact.last_name | str | trim)) | trim | text),
      customer_link: (if $cid != null then "https://acme.lightning.force.com/lightning/r/Contact/" + $cid + "/view" else null end),
      organization: ($r.crm.account.name | if . == null then null else trim | text end),
      customer_manager: ($r.crm.account.owner_name | if . == null then null else trim | text end),
      email: ($r.crm.contact.email | if . == null then null else ascii_downcase | text end),
      region: ($r.crm.account.region | text)
    } | clean),
    type: "inbound_voice",
    vip: (if $tier == null then null else ($tier | IN("gold", "platinum")) end),
    routing_language: (if $lang == null then null else ($lang | lang) // "English" end),
    vip_boost: (if $tier == "platinum" then 50 else 0 end),
    menu_depth: ($menu | if . == null then 0 else length end),
    subject_preview: ($subject | if . == null then null else cut(20) | if trim == "" then null else . end end)
  }
| if .customers == {} then del(.customers) else . end
| clean
