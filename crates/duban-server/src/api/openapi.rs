//! The OpenAPI 3.1 document of the API, generated from the handlers: each handler carries a
//! `#[utoipa::path]` with its parameters, body and the answers it gives, and the types it takes
//! and sends derive their schemas ([`ApiDoc`]). What every operation of a kind may answer — a
//! body too large or of the wrong type, a caller not signed in, the database gone — is added by
//! [`CommonAnswers`], from the same rules the server follows (`auth::is_public`, the extractors,
//! `http::status`). The tests keep the document and the server together: every route must be
//! documented, and every response the API tests receive must conform to its documented schema
//! ([`conforms`]).

use super::auth::is_public;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};

/// The document's frame: its title and the schemas no handler names; the paths come from the
/// router ([`super::documented_routes`]), the common answers from [`CommonAnswers`].
#[derive(OpenApi)]
#[openapi(
    info(title = "Duban 督办 API", description = "督办台账、时限与工作日历的 JSON 接口。"),
    servers((url = "/", description = "本服务")),
    components(schemas(ErrorBody)),
)]
pub struct ApiDoc;

/// The document as JSON text, generated once.
pub static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut doc = super::documented_routes().into_openapi();
    CommonAnswers.modify(&mut doc);
    doc.to_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
});

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", operation_id = "openapi", tag = "meta",
    security(()),
    responses((status = 200, description = "本文档", content_type = "application/json", body = Object)))]
pub(super) async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}

/// A file's bytes, as an upload's body or a download.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

/// An upload as a multipart form: the file in the field `file`.
#[derive(ToSchema)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The error body `{"error": {"code", "message", "field"?, "current_version"?}}` that
/// [`super::errors::ApiError`] writes, its code one of [`duban_domain::ErrorCode`]'s; named
/// `Error` in the document.
pub struct ErrorBody;

impl PartialSchema for ErrorBody {
    fn schema() -> RefOr<Schema> {
        let inner = ObjectBuilder::new()
            .property("code", duban_domain::ErrorCode::schema())
            .property("message", ObjectBuilder::new().schema_type(Type::String).description(Some("说明（中文）")))
            .property("field", ObjectBuilder::new().schema_type(Type::String).description(Some("出错的字段")))
            .property(
                "current_version",
                ObjectBuilder::new().schema_type(Type::Integer).description(Some("版本冲突时的当前版本")),
            )
            .required("code")
            .required("message")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        ObjectBuilder::new()
            .property("error", inner)
            .required("error")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for ErrorBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Error")
    }
}

/// Adds what every operation of a kind may answer, and the security schemes: a session by
/// bearer token or by the pages' cookie, required on every route but the public ones.
pub struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("POST /api/v1/session 取得的令牌"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::http::cookies::SESSION_COOKIE,
                "网页登录后的会话",
            ))),
        );
        doc.security = Some(vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("cookie", Vec::<String>::new()),
        ]);
        for (path, item) in doc.paths.paths.iter_mut() {
            for op in operations(item) {
                add_common(path, op);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
}

fn add_common(path: &str, op: &mut Operation) {
    let content_types: Vec<String> =
        op.request_body.as_ref().map(|b| b.content.keys().cloned().collect()).unwrap_or_default();
    let json_body = content_types.iter().any(|c| c == "application/json");
    let mut add = |status: &str, description: &str| {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| error_answer(description));
    };
    // Any path, query or body that cannot be read.
    add("400", "请求格式错误（JSON、路径或查询参数无法读取）");
    if path != "/api/v1/openapi.json" {
        add("503", "数据库不可用");
    }
    if path != "/api/v1/openapi.json" && path != "/healthz" {
        add("500", "内部错误");
    }
    if !is_public(path) {
        add("401", "未登录或会话已过期");
    }
    if json_body {
        add("413", "请求内容过大");
        add("415", "请求内容类型应为 application/json");
        add("422", "输入有误");
    } else if !content_types.is_empty() {
        add("413", "上传的文件过大");
        add("422", "输入有误");
    }
}

/// An answer with the error body.
fn error_answer(description: &str) -> RefOr<Response> {
    let schema = RefOr::Ref(utoipa::openapi::Ref::from_schema_name(ErrorBody::name()));
    let content = ContentBuilder::new().schema(Some(schema)).build();
    RefOr::T(ResponseBuilder::new().description(description).content("application/json", content).build())
}

/// Declares an error answer a handler may give, for its `responses(...)`: a status with the error
/// body, as [`crate::http::status::status_of`] maps the domain's errors.
macro_rules! error_answers {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $description:literal;)+) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([($status.to_string(), error_answer($description))])
            }
        }
    )+};
}

error_answers! {
    /// The caller's capabilities do not allow it.
    Forbidden = 403, "无权执行此操作";
    /// The thing named in the path (or the body) does not exist, or the caller may not see it.
    NotFound = 404, "不存在";
    /// A name already taken, a thing still in use, a version conflict, the last administrator.
    Conflict = 409, "冲突（名称重复、仍被使用或版本冲突）";
    /// The task was changed since the version the write is based on.
    VersionConflict = 409, "版本冲突：已被他人修改";
    /// A value the domain refuses.
    Invalid = 422, "输入有误";
    /// No session, or one that has ended.
    Unauthenticated = 401, "未登录或会话已过期";
    /// Too many failed sign-ins; `Retry-After` says when to try again.
    TooManyAttempts = 429, "尝试过多，请稍后再试";
}

/// Checks `value` against `schema`, resolving `$ref`s in `doc`. Supports the subset of JSON
/// Schema the document uses: `type` (one or a list), `enum`, `properties`, `required`,
/// `additionalProperties`, `items`, `allOf`, `anyOf`, `oneOf`, `minimum`, `maximum`. Returns the
/// path of the first mismatch.
pub fn conforms(value: &Value, schema: &Value, doc: &Value) -> Result<(), String> {
    check(value, schema, doc, "$")
}

fn is_of_type(v: &Value, t: &str) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        _ => false,
    }
}

fn check(v: &Value, s: &Value, doc: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(doc, |n, k| &n[k]))
            .filter(|t| !t.is_null())
            .ok_or_else(|| format!("{at}: unresolved {r}"))?;
        return check(v, target, doc, at);
    }
    if let Some(list) = s.get("allOf").and_then(Value::as_array) {
        for alt in list {
            check(v, alt, doc, at)?;
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            let passing = list.iter().filter(|alt| check(v, alt, doc, at).is_ok()).count();
            let ok = if key == "oneOf" { passing == 1 } else { passing >= 1 };
            if !ok {
                return Err(format!("{at}: {v} matches {passing} of the {key} alternatives"));
            }
        }
    }
    // One type, or (OpenAPI 3.1) a list of them, e.g. `["string", "null"]`.
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| is_of_type(v, t)) {
        return Err(format!("{at}: expected {}, got {v}", types.join(" or ")));
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        return Err(format!("{at}: {v} is not one of {}", Value::Array(e.clone())));
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_i64), v.as_i64())
        && n < min
    {
        return Err(format!("{at}: {n} < {min}"));
    }
    if let (Some(max), Some(n)) = (s.get("maximum").and_then(Value::as_i64), v.as_i64())
        && n > max
    {
        return Err(format!("{at}: {n} > {max}"));
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            check(x, items, doc, &format!("{at}[{i}]"))?;
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    return Err(format!("{at}: missing required {r}"));
                }
            }
        }
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => check(x, ps, doc, &format!("{at}.{k}"))?,
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) if props.is_some() => {
                        return Err(format!("{at}: undocumented property {k}"));
                    }
                    Some(extra @ Value::Object(_)) => check(x, extra, doc, &format!("{at}.{k}"))?,
                    _ => {}
                },
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ROUTES;

    fn doc() -> Value {
        serde_json::from_str(&DOCUMENT).unwrap()
    }

    /// The router and the document come from the same `routes!` calls ([`crate::api::documented_routes`]);
    /// [`ROUTES`], the list the API tests route by, must name exactly the document's operations,
    /// so every route of the router is in the document and the document describes no other.
    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let d = doc();
        let documented: std::collections::BTreeSet<(String, String)> = d["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
            .collect();
        let routed: std::collections::BTreeSet<(String, String)> =
            ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
        assert_eq!(routed.len(), ROUTES.len(), "ROUTES names a route twice");
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        assert!(undocumented.is_empty(), "routes the document does not describe: {undocumented:?}");
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(unrouted.is_empty(), "the document describes routes the server does not have: {unrouted:?}");
    }

    /// Every operation has its own id (schemathesis selects operations by it), its success
    /// answer, and the error schema for every other status.
    #[test]
    fn every_operation_has_an_id_and_documented_errors() {
        let d = doc();
        let mut ids = std::collections::BTreeSet::new();
        for (path, item) in d["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no id"));
                assert!(ids.insert(id.to_string()), "two operations are called {id}");
                let responses = op["responses"].as_object().unwrap();
                assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path} has no success answer");
                for (status, r) in responses {
                    if status.starts_with('2') || path == "/healthz" {
                        continue;
                    }
                    let schema = &r["content"]["application/json"]["schema"];
                    assert_eq!(schema["$ref"], "#/components/schemas/Error", "{method} {path} {status}");
                }
                if !is_public(path) {
                    assert!(responses.contains_key("401"), "{method} {path} needs a session but does not say 401");
                }
            }
        }
        assert_eq!(ids.len(), ROUTES.len());
        assert!(ids.contains("signOut"), "the schemathesis script excludes signOut by its id");
    }

    /// A JSON body can always be refused before its handler runs: too large (413), or sent
    /// without `Content-Type: application/json` (415); both answers carry the error schema.
    #[test]
    fn every_json_body_may_be_refused_as_too_large_or_of_the_wrong_type() {
        let d = doc();
        let mut bodies = 0;
        for (path, item) in d["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op["requestBody"]["content"].get("application/json").is_none() {
                    continue;
                }
                bodies += 1;
                for status in ["413", "415", "400", "422"] {
                    let schema = &op["responses"][status]["content"]["application/json"]["schema"];
                    assert_eq!(schema["$ref"], "#/components/schemas/Error", "{method} {path} {status}");
                }
            }
        }
        assert!(bodies >= 11, "only {bodies} operations with a JSON body");
    }

    #[test]
    fn every_reference_resolves() {
        let d = doc();
        fn walk(v: &Value, d: &Value) {
            match v {
                Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                        assert!(
                            conforms(&Value::Null, &serde_json::json!({"$ref": r}), d)
                                .map_or_else(|e| !e.contains("unresolved"), |_| true),
                            "{r}"
                        );
                    }
                    m.values().for_each(|x| walk(x, d));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, d)),
                _ => {}
            }
        }
        walk(&d, &d);
    }

    #[test]
    fn the_checker_catches_what_it_should() {
        let d = doc();
        let err = serde_json::json!({"error": {"code": "not_found", "message": "任务 1不存在"}});
        conforms(&err, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).unwrap();
        let import = serde_json::json!({"error": {"code": "import.too_large", "message": "文件过大"}});
        conforms(&import, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).unwrap();
        let bad = serde_json::json!({"error": {"code": "nope", "message": "x"}});
        assert!(conforms(&bad, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).is_err());
        let extra = serde_json::json!({"error": {"code": "not_found", "message": "x", "secret": 1}});
        assert!(conforms(&extra, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).is_err());
        let missing = serde_json::json!({"error": {"code": "not_found"}});
        assert!(conforms(&missing, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).is_err());
    }
}
