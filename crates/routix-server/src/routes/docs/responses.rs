//! The error answers every operation shares, added to the description by one pass over it
//! rather than by hand on each handler: what the middleware and the extractors answer is the
//! same on every route, so a route added tomorrow is described right without anyone
//! remembering to. A status a handler documents itself keeps its own wording.

use utoipa::openapi::{
    header::HeaderBuilder,
    path::{Operation, ParameterIn, PathItem},
    schema::{ObjectBuilder, Schema, SchemaType, Type},
    ContentBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder,
};
use utoipa::Modify;

/// Adds the shared error responses (as `#/components/responses/…`) to every operation that
/// can answer with them.
pub struct CommonResponses;

struct Common {
    status: &'static str,
    name: &'static str,
    description: &'static str,
    code: &'static str,
    message: &'static str,
}

const BAD_REQUEST: Common = Common {
    status: "400",
    name: "BadRequest",
    description: "Malformed request: the body is not valid JSON, a query parameter has the \
        wrong type or an unknown value, or a cursor was not issued by this server.",
    code: "bad_request",
    message: "Failed to deserialize query string: limit: invalid digit found in string",
};
const UNAUTHORIZED: Common = Common {
    status: "401",
    name: "Unauthorized",
    description: "No valid access token: send `Authorization: Bearer <access_token>` from \
        /api/v1/auth/login (or refresh it with /api/v1/auth/refresh).",
    code: "unauthorized",
    message: "missing bearer token",
};
const FORBIDDEN: Common = Common {
    status: "403",
    name: "Forbidden",
    description: "Signed in, but this account may not do this.",
    code: "forbidden",
    message: "administrators only",
};
const NOT_FOUND: Common = Common {
    status: "404",
    name: "NotFound",
    description: "No such resource, or it belongs to another account (the two look the same).",
    code: "not_found",
    message: "resource not found",
};
const TOO_LARGE: Common = Common {
    status: "413",
    name: "PayloadTooLarge",
    description: "The body is larger than this route accepts (1 MiB for JSON; uploads have \
        their own limit, `MAX_UPLOAD_MB`).",
    code: "payload_too_large",
    message: "Failed to buffer the request body: length limit exceeded",
};
const UNSUPPORTED: Common = Common {
    status: "415",
    name: "UnsupportedMediaType",
    description: "The body is not sent with the media type this route reads (see its \
        `requestBody`), e.g. JSON without `Content-Type: application/json`.",
    code: "unsupported_media_type",
    message: "Expected request with `Content-Type: application/json`",
};
const INVALID: Common = Common {
    status: "422",
    name: "ValidationError",
    description: "Well-formed, but a field is missing, has the wrong type or breaks a \
        constraint of the schema; `message` names it.",
    code: "validation_error",
    message: "limit must be between 1 and 100",
};
const RATE_LIMITED: Common = Common {
    status: "429",
    name: "RateLimited",
    description: "Too many requests from this address or account; retry after `Retry-After` \
        seconds.",
    code: "rate_limited",
    message: "too many requests from this address; slow down",
};

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for common in [
            &BAD_REQUEST,
            &UNAUTHORIZED,
            &FORBIDDEN,
            &NOT_FOUND,
            &TOO_LARGE,
            &UNSUPPORTED,
            &INVALID,
            &RATE_LIMITED,
        ] {
            components
                .responses
                .insert(common.name.to_string(), RefOr::T(response(common)));
        }
        for (schema, pointer, rule) in ITEM_RULES {
            constrain(components, schema, pointer, rule);
        }
        describe_match_request(components);
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in operations(item) {
                query_params_in_query(path, operation);
                for common in applicable(path, method, operation) {
                    operation
                        .responses
                        .responses
                        .entry(common.status.to_string())
                        .or_insert_with(|| {
                            RefOr::Ref(Ref::new(format!("#/components/responses/{}", common.name)))
                        });
                }
            }
        }
    }
}

/// Rules on the items of a list the derive can't attach (`Vec<String>`, an untagged enum's
/// string arm), as (component, JSON pointer into it, keywords to add).
const ITEM_RULES: &[(&str, &str, &str)] = &[
    (
        "UpdateAlgorithm",
        "/properties/chain/items",
        r#"{"enum": ["openai", "gemini", "stability", "sd-webui"]}"#,
    ),
    // `bank::validate_tags`: 1 to 40 characters once trimmed, no control characters.
    (
        "UpdateBankItem",
        "/properties/tags/items",
        r#"{"maxLength": 40, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"}"#,
    ),
    (
        "PickInput",
        "/oneOf/0",
        r#"{"pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(:[0-9]{1,9})?$"}"#,
    ),
    // "Exactly three different results".
    (
        "CreateTestSet",
        "/properties/generation_ids",
        r#"{"uniqueItems": true}"#,
    ),
    // `bank::validate_title`: 1 to 200 characters once trimmed, no control characters.
    (
        "UpdateBankItem",
        "/properties/title",
        r#"{"pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"}"#,
    ),
    (
        "EditGeneration",
        "/properties/palette/items",
        r##"{"pattern": "^#([0-9A-Fa-f]{3}){1,2}$"}"##,
    ),
];

/// Adds `rule`'s keywords to the schema at `pointer` inside component `name`. A component
/// that was renamed or reshaped fails `tests/api/openapi.rs`, not silently here.
fn constrain(components: &mut utoipa::openapi::Components, name: &str, pointer: &str, rule: &str) {
    let Some(schema) = components.schemas.get_mut(name) else {
        return;
    };
    let Ok(mut value) = serde_json::to_value(&*schema) else {
        return;
    };
    let (Some(target), Ok(serde_json::Value::Object(rule))) = (
        value.pointer_mut(pointer).and_then(|t| t.as_object_mut()),
        serde_json::from_str::<serde_json::Value>(rule),
    ) else {
        return;
    };
    target.extend(rule);
    if let Ok(updated) = serde_json::from_value(value) {
        *schema = updated;
    }
}

/// Narrows every `template_id` (and `GET /templates/{id}`) to the templates this server has
/// loaded: they come from the binary or `TEMPLATES_DIR`, so only the running server knows them.
pub fn name_templates(openapi: &mut OpenApi, ids: &[String]) {
    let ids = serde_json::json!(ids);
    let mut nullable = ids.clone();
    if let Some(list) = nullable.as_array_mut() {
        list.push(serde_json::Value::Null);
    }
    let rule = serde_json::json!({ "enum": nullable }).to_string();
    let components = openapi.components.get_or_insert_with(Default::default);
    for schema in ["CreateGeneration", "EditGeneration"] {
        constrain(components, schema, "/properties/template_id", &rule);
    }
    if let Some(op) = openapi
        .paths
        .paths
        .get_mut("/api/v1/templates/{id}")
        .and_then(|item| item.get.as_mut())
    {
        for param in op.parameters.iter_mut().flatten() {
            if param.name == "id" {
                if let Ok(schema) = serde_json::from_value(serde_json::json!({
                    "type": "string",
                    "enum": ids,
                })) {
                    param.schema = Some(schema);
                }
            }
        }
    }
}

/// `routix_core::Analysis` as `POST /templates/match` reads it (the core crate knows nothing
/// of OpenAPI), and the rule that the request names an analysis or a prompt.
fn describe_match_request(components: &mut utoipa::openapi::Components) {
    let categories: Vec<&str> = routix_core::Category::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    let strings = serde_json::json!({"type": "array", "items": {"type": "string"}});
    let analysis = serde_json::json!({
        "analysis": {
            "type": ["object", "null"],
            "description": "A finished analysis, as `POST /templates/analyze` answers it ...",
            "required": ["category", "colors", "style", "mood", "headline", "keywords",
                "language", "direction", "confidence", "source"],
            "properties": {
                "category": {"type": "string", "enum": categories},
                "colors": {"type": "array", "items": {
                    "type": "object",
                    "required": ["name", "hex"],
                    "properties": {
                        "name": {"type": "string"},
                        "hex": {"type": "string", "pattern": "^#([0-9A-Fa-f]{3}){1,2}$"},
                    },
                }},
                "style": {"type": "string"},
                "mood": {"type": "string"},
                "headline": {"type": "string"},
                "keywords": strings,
                "subjects": strings,
                "language": {"type": "string"},
                "direction": {"type": "string", "enum": ["ltr", "rtl"]},
                "confidence": {"type": "number"},
                "source": {"type": "string", "enum": ["rules", "openai", "gemini"]},
                "image_description": {"type": ["string", "null"]},
            },
        },
    });
    constrain(
        components,
        "MatchRequest",
        "/properties",
        &analysis.to_string(),
    );
    // "An analysis or a prompt": the object twice, once requiring each (non-null).
    let Some(schema) = components.schemas.get_mut("MatchRequest") else {
        return;
    };
    let Ok(base) = serde_json::to_value(&*schema) else {
        return;
    };
    let requiring = |field: &str, kind: &str| {
        let mut variant = base.clone();
        variant["required"] = serde_json::json!([field]);
        variant["properties"][field]["type"] = serde_json::json!(kind);
        variant
    };
    let either = serde_json::json!({
        "description": base["description"],
        "anyOf": [requiring("analysis", "object"), requiring("prompt", "string")],
    });
    if let Ok(updated) = serde_json::from_value(either) {
        *schema = updated;
    }
}

fn operations(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("patch", item.patch.as_mut()),
        ("delete", item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
    .collect()
}

/// A `next_cursor` as issued (a hyphenated UUID), or empty for the first page.
const CURSOR_PATTERN: &str =
    "^$|^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";

/// `params(SomeQuery)` without `parameter_in` files a query struct's fields under `in: path`;
/// a parameter the path template does not name can only be read from the query string, so it
/// is described there, optional unless required, and never `null` (a query string has none).
fn query_params_in_query(path: &str, op: &mut Operation) {
    for param in op.parameters.iter_mut().flatten() {
        if !matches!(param.parameter_in, ParameterIn::Path)
            || path.contains(&format!("{{{}}}", param.name))
        {
            continue;
        }
        param.parameter_in = ParameterIn::Query;
        // Filed as a path parameter it was marked required; an `Option` field shows as `null`.
        let optional = matches!(
            param.schema.as_ref(),
            Some(RefOr::T(Schema::Object(o)))
                if matches!(&o.schema_type, SchemaType::Array(t) if t.contains(&Type::Null))
        );
        if optional {
            param.required = Required::False;
        }
        let has_pattern = matches!(param.schema.as_ref(),
            Some(RefOr::T(Schema::Object(o))) if o.pattern.is_some());
        if param.name == "cursor" && !has_pattern {
            // Every listing's cursor is the id of the previous page's last item.
            param.schema = Some(RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(CURSOR_PATTERN))
                    .build(),
            )));
            continue;
        }
        if let Some(RefOr::T(Schema::Object(object))) = param.schema.as_mut() {
            if let SchemaType::Array(types) = &object.schema_type {
                let types: Vec<Type> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .cloned()
                    .collect();
                if let [only] = types.as_slice() {
                    object.schema_type = SchemaType::Type(only.clone());
                }
            }
        }
    }
}

/// The shared answers one operation can give, read from what the description already says
/// about it: where it lives, its security, its parameters and its body.
fn applicable(path: &str, method: &str, op: &Operation) -> Vec<&'static Common> {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let has_path = path.contains('{');
    let has_body = op.request_body.is_some();
    let authenticated = op.security.iter().flatten().any(|requirement| {
        serde_json::to_value(requirement)
            .ok()
            .and_then(|v| v.as_object().map(|o| !o.is_empty()))
            .unwrap_or(false)
    });
    let admin =
        path.starts_with("/api/v1/admin/") || op.tags.iter().flatten().any(|tag| tag == "admin");
    // `account::require_verified` guards the routes that start a generation.
    let needs_verified =
        method == "post" && (path.ends_with("/generations") || path.ends_with("/edit"));

    let mut out = Vec::new();
    if has_body || has_query {
        out.push(&BAD_REQUEST);
    }
    if authenticated {
        out.push(&UNAUTHORIZED);
    }
    if admin || needs_verified {
        out.push(&FORBIDDEN);
    }
    if has_path {
        out.push(&NOT_FOUND);
    }
    if has_body {
        out.extend([&TOO_LARGE, &UNSUPPORTED]);
    }
    if has_body || has_query {
        out.push(&INVALID);
    }
    // The per-address limit counts every request under /api/.
    if path.starts_with("/api/") {
        out.push(&RATE_LIMITED);
    }
    out
}

fn response(common: &Common) -> utoipa::openapi::Response {
    let example = serde_json::json!({"error": {"code": common.code, "message": common.message}});
    let mut builder = ResponseBuilder::new()
        .description(common.description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .example(Some(example))
                .build(),
        );
    if common.status == "429" {
        builder = builder.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(1)),
                )
                .description(Some("seconds until the window resets"))
                .build(),
        );
    }
    builder.build()
}
