//! The OpenAPI 3.1 description of the business-system API, served at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{Value, json};

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

/// What haochaping sends: signed with `X-Hcp-Timestamp` (unix seconds) and `X-Hcp-Signature:
/// <method>=<hex>` over `timestamp + "\n" + body`.
fn signed(summary: &str, description: &str, schema: &str) -> Value {
    json!({ "post": {
        "summary": summary,
        "description": format!("{description} Signed: `X-Hcp-Timestamp` (unix seconds) and `X-Hcp-Signature: <method>=<hex>` over `timestamp + \"\\n\" + body`; the method is the one the administrator chose: `hmac-sha256` or `hmac-sm3` (HMAC keyed by the shared key) or `sm2` (SM2 with SM3 and the ID 1234567812345678, by our private key; r ‖ s in hex)."),
        "security": [],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } },
        "responses": { "2XX": { "description": "taken; anything else is retried with a doubling wait" } }
    } })
}

/// The requests haochaping makes of other platforms (OpenAPI 3.1 webhooks).
fn webhooks() -> Value {
    json!({
        "referralStatus": signed(
            "办理状态回传 — a referred work order's status change, to the referring platform's callback",
            "Once per change, in order per ticket (the next only after the last was taken): accepted 已受理, in_progress 办理中, replied 已答复 (with the reply), closed 已办结. Body: `{source, external_id, ticket_id, sequence, status, status_zh, at_ms, reply: {text, at_ms} | null}`; no personal data.",
            "StatusChange"),
        "forwardedWorkOrder": signed(
            "差评转送12345 — a 差评 ticket as a work order (投诉), and then its status changes, to the 12345 platform",
            "Only while an administrator has switched forwarding on (page 系统管理, 转办回传与12345转送): every 差评 ticket opened from then on is POSTed once as `type: work_order`; a re-send (the answer was lost) carries the same body and `our_id`, so dedup on it. Answer 2xx (with a JSON `code` of 0 or 200, if any) to take it, naming your order id as `order_id`, `orderId`, `work_order_id` or `workOrderId` (at the top or under `data`); an answer saying the order exists already (\"duplicate\", \"already received\", \"已存在\", \"已接收\", \"重复\") is taken too. Its status changes follow as `type: status` with the StatusChange fields (`source` 12345, `external_id` your order id) and `our_id`.",
            "ForwardedWorkOrder"),
    })
}

pub(crate) async fn document() -> Json<Value> {
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "haochaping business-system API",
            "version": "1",
            "description": "Register service occurrences (办件) and read whether they were rated; \
                            report a hall's visits from its queue system (取号/叫号). \
                            There is deliberately no way to submit, change or delete a rating here. \
                            An administrator registers the business system (page 系统管理 or \
                            `haochaping add-business-system`) with the portal origins allowed to frame \
                            its embed pages and the regions or departments it may register cases for; \
                            its API key is shown once. Send it as `Authorization: Bearer <key>`. \
                            A rotated key keeps working until the end of the overlap the administrator \
                            chose; a revoked key is refused (401) at once."
        },
        "components": {
            "securitySchemes": { "apiKey": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "required": ["error", "message"], "properties": {
                    "error": { "type": "string" }, "field": { "type": "string" }, "message": { "type": "string" } } },
                "RegisterRequest": { "type": "object", "additionalProperties": false,
                    "required": ["case_number", "occurrence_no", "service_item", "department", "channel"],
                    "properties": {
                        "case_number": { "type": "string", "maxLength": 50, "description": "办件编号" },
                        "occurrence_no": { "type": "integer", "minimum": 1, "maximum": 65535, "description": "评价次数/服务次数" },
                        "service_item": { "type": "string", "maxLength": 24, "description": "实施编码 of a registered service item" },
                        "department": { "type": "string", "description": "code of the handling department" },
                        "window": { "type": ["string", "null"], "description": "window code" },
                        "staff": { "type": ["string", "null"], "description": "staff number" },
                        "channel": { "type": "string", "enum": ["pc", "mobile", "qr_code", "hall_device", "kiosk", "phone", "sms"], "description": "评价渠道 the rating link is issued for (短信, the receipt QR code, 评价器, 自助终端, 电话 …); a rating through the link is stored and published with it" },
                        "evaluator_phone": { "type": ["string", "null"], "description": "11-digit mobile, stored encrypted" },
                        "evaluator_type": { "type": ["integer", "null"], "minimum": 1, "maximum": 6, "description": "评价主体, GB/T 39046 服务对象: 1 自然人, 2 企业法人, 3 事业法人, 4 社会组织法人, 5 行政机关, 6 其他组织" },
                        "anonymous": { "type": "boolean", "default": false, "description": "the evaluator chose to rate anonymously (匿名评价)" }
                    } },
                "Registered": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "created": { "type": "boolean" },
                    "rating_url": { "type": "string" }, "embed_url": { "type": "string" },
                    "qr_svg_url": { "type": "string" }, "qr_png_url": { "type": "string" },
                    "iframe_html": { "type": "string" }, "expires_at": { "type": "integer", "description": "unix seconds" } } },
                "VisitRequest": { "type": "object", "additionalProperties": false,
                    "description": "One hall visit as the queue system (取号/叫号) reports it. Its key is (hall, queue_no, the China-time day of taken_at_ms): reporting the same key again updates the same visit (叫号, then 办结), never makes a second one.",
                    "required": ["hall", "queue_no", "window", "taken_at_ms"],
                    "properties": {
                        "hall": { "type": "string", "description": "大厅编码" },
                        "queue_no": { "type": "string", "maxLength": 20, "pattern": "^[A-Za-z0-9-]+$", "description": "取号号码, unique in the hall for the day" },
                        "window": { "type": "string", "description": "code of the window (of this hall) that serves the visit; its department must be granted to the system" },
                        "staff": { "type": ["string", "null"], "description": "工号 of the clerk: the rating counts for them in the staff 公示" },
                        "service_item": { "type": ["string", "null"], "description": "实施编码 of the service item" },
                        "case_number": { "type": ["string", "null"], "maxLength": 50, "description": "办件编号 of the case the visit handled: the visit is that case's occurrence 1 (the one POST /api/v1/occurrences registers, with channel qr_code), rated once by the link or the e码" },
                        "taken_at_ms": { "type": "integer", "description": "取号时间, unix ms" },
                        "called_at_ms": { "type": ["integer", "null"], "description": "叫号时间, unix ms, not before taken_at_ms" },
                        "finished_at_ms": { "type": ["integer", "null"], "description": "办结时间, unix ms, not before called_at_ms: the visit is then a service occurrence waiting for its rating (the 评价率 denominator, in the month of taken_at_ms)" }
                    } },
                "VisitReported": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "created": { "type": "boolean" },
                    "visit_code": { "type": "string", "description": "评价码 to print on the queue ticket" },
                    "rating_url": { "type": "string", "description": "the window's e码 page for this visit (/w/{ecode}?v={visit_code}), for a QR code on the ticket" },
                    "finished": { "type": "boolean", "description": "the visit is an occurrence (办结, or rated while served)" },
                    "rated": { "type": "boolean" } } },
                "ReferralRequest": { "type": "object", "additionalProperties": false,
                    "description": "A work order (工单) referred by a 12345 hotline, a government website or a leader's mailbox (转办).",
                    "required": ["source", "external_id", "received_at_ms", "category", "department", "content"],
                    "properties": {
                        "source": { "type": "string", "enum": ["12345", "website", "leader_mailbox", "other"], "description": "来源: 12345 热线, 政府网站, 领导信箱, other" },
                        "external_id": { "type": "string", "minLength": 1, "maxLength": 64, "description": "the platform's own work-order id; with source, the key of the referral" },
                        "received_at_ms": { "type": "integer", "description": "when the platform received the work order, unix ms (after 2000, not in the future)" },
                        "category": { "type": "string", "enum": ["complaint", "suggestion", "inquiry", "help", "投诉", "建议", "咨询", "求助"], "description": "诉求类别" },
                        "department": { "type": "string", "description": "code of the department the work order is for; it must be granted to the platform" },
                        "content": { "type": "string", "minLength": 5, "maxLength": 1000, "description": "what the citizen said" },
                        "contact_phone": { "type": ["string", "null"], "description": "the citizen's 11-digit mobile, if given: stored encrypted, shown masked, never published" }
                    } },
                "Referred": { "type": "object", "required": ["ticket_id", "created", "tracking_code", "tracking_url", "state"], "properties": {
                    "ticket_id": { "type": "integer" }, "created": { "type": "boolean" },
                    "tracking_code": { "type": "string", "description": "查询码 of the public tracking page" },
                    "tracking_url": { "type": "string" },
                    "reply_due_at_ms": { "type": ["integer", "null"], "description": "end of the working day the reply is due (2 working days; 5 once found complex), unix ms" },
                    "state": { "type": "string" } } },
                "StatusChange": { "type": "object", "properties": {
                    "source": { "type": "string" },
                    "external_id": { "type": "string", "description": "the platform's own work-order id" },
                    "ticket_id": { "type": "integer" },
                    "sequence": { "type": "integer", "description": "increasing per change" },
                    "status": { "type": "string", "enum": ["accepted", "in_progress", "replied", "closed"] },
                    "status_zh": { "type": "string" },
                    "at_ms": { "type": "integer" },
                    "reply": { "type": ["object", "null"], "properties": { "text": { "type": "string" }, "at_ms": { "type": "integer" } } } } },
                "ForwardedWorkOrder": { "type": "object", "properties": {
                    "type": { "type": "string", "const": "work_order" },
                    "our_id": { "type": "string", "description": "查询码 of the 差评: our id, the key to dedup on" },
                    "ticket_id": { "type": "integer" },
                    "received_at_ms": { "type": "integer", "description": "when the 差评 came in, unix ms" },
                    "received_at": { "type": "string", "description": "the same, China time (YYYY-MM-DD hh:mm)" },
                    "category": { "type": "string", "const": "complaint" },
                    "category_zh": { "type": "string", "const": "投诉" },
                    "unit": { "type": "object", "properties": { "code": { "type": "string" }, "name": { "type": "string" } }, "description": "the department that handled the service" },
                    "service_item": { "type": ["string", "null"] },
                    "level": { "type": "integer", "description": "satisfaction, 2 不满意 or 1 非常不满意" },
                    "level_zh": { "type": "string" },
                    "reasons": { "type": "array", "items": { "type": "string" } },
                    "comment": { "type": ["string", "null"], "description": "the citizen's words" },
                    "content": { "type": "string", "description": "level, reasons and words as one text" },
                    "contact_phone": { "type": ["string", "null"], "description": "only if the citizen left one" } } },
                "RowError": { "type": "object", "properties": {
                    "row": { "type": "integer", "description": "index in the array, from 0" },
                    "field": { "type": "string" }, "message": { "type": "string" } } }
            }
        },
        "security": [{ "apiKey": [] }],
        "webhooks": webhooks(),
        "paths": {
            "/api/v1/upward/records": { "post": {
                "summary": "上报 — a county's records, received by a haochaping province",
                "description": "For a haochaping instance acting as the province tier. The sending county is a business system here, granted its region (`haochaping add-business-system NAME --region CODE`); its key is the Bearer key, and the request is signed: `X-Hcp-Timestamp` (unix seconds, within five minutes of ours) and `X-Hcp-Signature: hmac-sha256=<hex>` (or `hmac-sm3=`), the HMAC of `timestamp + \"\\n\" + body` keyed by the SHA-256 of the key. Records use haochaping's mapping (see README: projectNo, assessNumber, taskCode, areaCode, deptCode, satisfaction, evalDetail, writingEvaluation, pf, assessTime, serviceTime, userProp, evaversion, isdefault, effectivEvalua, stepText, stepTime, recordType). Each record is stored on its own, idempotent on (county, projectNo, assessNumber): a re-send is answered `duplicate`.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["records"], "properties": {
                    "source": { "type": "string" },
                    "records": { "type": "array", "maxItems": 1000, "items": { "type": "object" } } } } } } },
                "responses": {
                    "200": { "description": "one result per record, in order", "content": { "application/json": { "schema": { "type": "object", "properties": { "results": { "type": "array", "items": { "type": "object", "properties": {
                        "outcome": { "type": "string", "enum": ["accepted", "duplicate", "refused"] }, "field": { "type": ["string", "null"] }, "message": { "type": "string" } } } } } } } } },
                    "400": error_response("malformed JSON"),
                    "401": error_response("missing, unknown, expired or revoked API key, or a missing, stale or wrong signature"),
                    "413": error_response("the body is larger than 2 MiB"),
                    "422": error_response("records is not an array of at most 1000")
                } } },
            "/api/v1/upward/reconciliation": { "post": {
                "summary": "对账 — a day's valid ratings received from this county, by level and channel",
                "description": "Signed like /api/v1/upward/records. The county compares the counts with its own.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["day"], "properties": { "day": { "type": "integer", "description": "YYYYMMDD, China time" } } } } } },
                "responses": {
                    "200": { "description": "the counts", "content": { "application/json": { "schema": { "type": "object", "properties": { "day": { "type": "integer" }, "counts": { "type": "array", "items": { "type": "object", "properties": {
                        "level": { "type": "integer" }, "channel": { "type": "string" }, "n": { "type": "integer" } } } } } } } } },
                    "400": error_response("malformed JSON"),
                    "401": error_response("missing, unknown, expired or revoked API key, or a missing, stale or wrong signature"),
                    "413": error_response("the body is larger than 2 MiB"),
                    "422": error_response("day is not a day YYYYMMDD")
                } } },
            "/api/v1/occurrences": { "post": {
                "summary": "Register a service occurrence and get its rating link",
                "description": "Idempotent on (case_number, occurrence_no) within this business system (another system's case of the same number is its own): a repeat with the same details answers 200 with a fresh link; other details answer 409.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RegisterRequest" } } } },
                "responses": {
                    "201": { "description": "registered", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Registered" } } } },
                    "200": { "description": "already registered with the same details", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Registered" } } } },
                    "400": error_response("malformed JSON"),
                    "413": error_response("the body is larger than 2 MiB"),
                    "415": error_response("not sent as application/json"),
                    "401": error_response("missing, unknown, expired (after a rotation's overlap) or revoked API key"),
                    "403": error_response("the department is outside the regions and departments this system is granted; `field` names it"),
                    "409": error_response("registered before with other details"),
                    "422": error_response("a field is invalid; `field` names it")
                } } },
            "/api/v1/referrals": { "post": {
                "summary": "转办 — refer a 12345 or website work order to a department: it becomes a complaint ticket",
                "description": "The referring platform is a business system granted the departments or regions it refers to. Idempotent on (source, external_id): the same work order again answers 200 with the same ticket; other details answer 409. The ticket's reply is due in 2 working days (5 when the handler finds it complex). Status changes (accepted 已受理, in_progress 办理中, replied 已答复 with the reply text and time, closed 已办结) are POSTed, once each and in order per ticket, to the callback an administrator sets (page 系统管理, 转办回传与12345转送, or `haochaping set-callback SYSTEM-ID URL`), as the webhook `referralStatus` describes; any answer but 2xx is retried with backoff.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ReferralRequest" } } } },
                "responses": {
                    "201": { "description": "referred: a new complaint ticket", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Referred" } } } },
                    "200": { "description": "referred before with the same details: the same ticket", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Referred" } } } },
                    "400": error_response("malformed JSON"),
                    "401": error_response("missing, unknown, expired or revoked API key"),
                    "403": error_response("the department is outside the platform's grant; `field` is `department`"),
                    "409": error_response("the same source and external_id were referred before with other details"),
                    "413": error_response("the body is larger than 2 MiB"),
                    "415": error_response("not sent as application/json"),
                    "422": error_response("a field is invalid; `field` names it")
                } } },
            "/api/v1/occurrences/{case_number}/{occurrence_no}": { "get": {
                "summary": "Whether an occurrence was rated, and how",
                "parameters": [
                    { "name": "case_number", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "occurrence_no", "in": "path", "required": true, "schema": { "type": "integer" } } ],
                "responses": { "200": { "description": "the occurrence's state" }, "401": error_response("missing, unknown, expired or revoked API key"), "404": error_response("not registered by this system") } } },
            "/api/v1/visits": { "post": {
                "summary": "Report a hall visit (取号, 叫号, 办结) and get its 评价码",
                "description": "Idempotent on (hall, queue_no, day of taken_at_ms). A later report fills in what an earlier one lacked (called_at_ms, finished_at_ms, staff …); once the visit is finished or rated, window, staff, service_item, case_number and its times are fixed (409 names the field). The window's e码 rates the visit being served there or finished within the configured minutes (HAOCHAPING_VISIT_RATING_MINUTES, default 10), or the visit whose 评价码 is given (?v=); an e码 rating with no such visit is stored as a walk-in, outside 评价率.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/VisitRequest" } } } },
                "responses": {
                    "201": { "description": "a new visit", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/VisitReported" } } } },
                    "200": { "description": "the same visit, updated or unchanged", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/VisitReported" } } } },
                    "400": error_response("malformed JSON"),
                    "413": error_response("the body is larger than 2 MiB"),
                    "415": error_response("not sent as application/json"),
                    "401": error_response("missing, unknown, expired or revoked API key"),
                    "403": error_response("the window's department is outside the system's grant; `field` is `window`"),
                    "409": error_response("the finished or rated visit would change; or the number is another system's today; `field` names it"),
                    "422": error_response("a field is invalid (unknown code, bad number, times out of order, a time in the future); `field` names it")
                } } },
            "/api/v1/visits/batch": { "post": {
                "summary": "Report many visits at once (e.g. a day's queue log): all or none",
                "description": "A JSON array of at most 5000 VisitRequest. Every row is checked first; if any is refused nothing is stored and `rows` names each refused row (its index, the field, why).",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "array", "minItems": 1, "maxItems": 5000, "items": { "$ref": "#/components/schemas/VisitRequest" } } } } },
                "responses": {
                    "400": error_response("malformed JSON"),
                    "413": error_response("the body is larger than 2 MiB"),
                    "415": error_response("not sent as application/json"),
                    "200": { "description": "every row stored", "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "created": { "type": "integer", "description": "rows that were new visits" },
                        "visits": { "type": "array", "items": { "$ref": "#/components/schemas/VisitReported" } } } } } } },
                    "401": error_response("missing, unknown, expired or revoked API key"),
                    "409": { "description": "a row conflicts with a stored visit; nothing stored", "content": { "application/json": { "schema": { "type": "object", "properties": { "rows": { "type": "array", "items": { "$ref": "#/components/schemas/RowError" } } } } } } },
                    "422": { "description": "refused rows (bad fields, or a window outside the grant); nothing stored", "content": { "application/json": { "schema": { "type": "object", "properties": { "rows": { "type": "array", "items": { "$ref": "#/components/schemas/RowError" } } } } } } }
                } } },
            "/api/v1/opt-outs": { "post": {
                "summary": "退订: a citizen replied \"TD\" to an invitation SMS; no more invitations to that phone",
                "description": "For the SMS platform (政务短信平台) that forwards replies, with a business-system key. Only a keyed hash of the phone is kept; repeats are no-ops.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "additionalProperties": false, "required": ["phone"],
                    "properties": { "phone": { "type": "string", "description": "11-digit mobile number (+86, spaces and dashes allowed)" } } } } } },
                "responses": {
                    "200": { "description": "opted out", "content": { "application/json": { "schema": { "type": "object", "properties": { "opted_out": { "type": "boolean" } } } } } },
                    "400": error_response("malformed JSON"),
                    "413": error_response("the body is larger than 2 MiB"),
                    "415": error_response("not sent as application/json"),
                    "401": error_response("missing, unknown, expired or revoked API key"),
                    "422": error_response("not a mobile number; `field` is `phone`")
                } } }
        }
    }))
}
