//! The OpenAPI 3.1 description of the business-system API, served at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{Value, json};

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub(crate) async fn document() -> Json<Value> {
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "haochaping business-system API",
            "version": "1",
            "description": "Register service occurrences (办件) and read whether they were rated. \
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
                    "iframe_html": { "type": "string" }, "expires_at": { "type": "integer", "description": "unix seconds" } } }
            }
        },
        "security": [{ "apiKey": [] }],
        "paths": {
            "/api/v1/occurrences": { "post": {
                "summary": "Register a service occurrence and get its rating link",
                "description": "Idempotent on (case_number, occurrence_no): a repeat with the same details answers 200 with a fresh link; other details answer 409.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RegisterRequest" } } } },
                "responses": {
                    "201": { "description": "registered", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Registered" } } } },
                    "200": { "description": "already registered with the same details", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Registered" } } } },
                    "400": error_response("malformed JSON"),
                    "401": error_response("missing, unknown, expired (after a rotation's overlap) or revoked API key"),
                    "403": error_response("the department is outside the regions and departments this system is granted; `field` names it"),
                    "409": error_response("registered before with other details"),
                    "422": error_response("a field is invalid; `field` names it")
                } } },
            "/api/v1/occurrences/{case_number}/{occurrence_no}": { "get": {
                "summary": "Whether an occurrence was rated, and how",
                "parameters": [
                    { "name": "case_number", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "occurrence_no", "in": "path", "required": true, "schema": { "type": "integer" } } ],
                "responses": { "200": { "description": "the occurrence's state" }, "401": error_response("missing, unknown, expired or revoked API key"), "404": error_response("not registered by this system") } } }
        }
    }))
}
