//! CSRF protection for every state-changing request made with the session cookie:
//! a per-session token in a hidden form field (of an ordinary or a file-upload form)
//! or an `X-CSRF-Token` header — never in the address, where it would land in logs
//! and browser history — and a same-origin check of Origin / Referer. Requests that
//! authenticate with a VALID API token carry no cookie authority and are exempt; a
//! junk `Authorization: Bearer` header exempts nothing. Before login there is no
//! session (no row is stored for anonymous visitors): the login form's token is
//! derived from a random cookie signed with a server key. The session's token is
//! replaced at login. Every refusal is written to the audit log.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::current::Resolved;
use crate::error::{ApiError, Failure};
use crate::i18n::Lang;
use crate::AppState;

pub const SESSION_KEY: &str = "csrf";
/// The random value behind the pre-login token.
pub const PRELOGIN_COOKIE: &str = "phongtrao_prelogin";

/// The token of the login form (no session yet), for `Page`.
#[derive(Clone)]
pub struct PreLoginToken(pub String);

/// A new token for the session, replacing the one it had (at login).
pub async fn rotate(session: &Session) -> String {
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
    let t = hex::encode(bytes);
    if let Err(e) = session.insert(SESSION_KEY, &t).await {
        tracing::warn!(error = %e, "cannot store the CSRF token");
    }
    t
}

/// The server key signing pre-login tokens: in the database, the same for every
/// instance; read once per process.
async fn server_key(state: &AppState) -> Option<Vec<u8>> {
    static KEY: tokio::sync::OnceCell<Vec<u8>> = tokio::sync::OnceCell::const_new();
    KEY.get_or_try_init(|| async {
        let mut bytes = [0u8; 32];
        rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
        let hex_key =
            phongtrao_storage::secrets::get_or_create(&state.db, "csrf_prelogin_key", &hex::encode(bytes)).await?;
        Ok::<_, phongtrao_storage::StorageError>(hex::decode(hex_key).unwrap_or_default())
    })
    .await
    .map_err(|e| tracing::error!(error = %e, "cannot read the CSRF key"))
    .ok()
    .cloned()
}

/// HMAC-SHA256, as RFC 2104 defines it.
fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner_hash = Sha256::new().chain_update(&inner).chain_update(message).finalize();
    Sha256::new().chain_update(&outer).chain_update(inner_hash).finalize().to_vec()
}

fn prelogin_token(key: &[u8], nonce: &str) -> String {
    hex::encode(hmac(key, format!("prelogin:{nonce}").as_bytes()))
}

fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}
/// The most a form body may be when the token has to be read from it.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The session's token, created on first use.
pub async fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(SESSION_KEY).await {
        return t;
    }
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
    let t = hex::encode(bytes);
    if let Err(e) = session.insert(SESSION_KEY, &t).await {
        tracing::warn!(error = %e, "cannot store the CSRF token");
    }
    t
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A refusal, written to the audit log (who, from where, which path).
fn refuse_logged<'a>(
    state: &'a AppState,
    request: &Request,
    path: &'a str,
    lang: Lang,
    vi: &'a str,
    en: &'a str,
) -> impl std::future::Future<Output = Response> + Send + 'a {
    let (mut parts, _) = Request::new(Body::empty()).into_parts();
    parts.headers = request.headers().clone();
    parts.extensions = request.extensions().clone();
    parts.method = request.method().clone();
    refuse_with(state, parts, path, lang, vi, en)
}

async fn refuse_with(
    state: &AppState,
    mut parts: axum::http::request::Parts,
    path: &str,
    lang: Lang,
    vi: &str,
    en: &str,
) -> Response {
    let client = match <super::client::ClientIp as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, state,
    )
    .await
    {
        Ok(c) => c,
        Err(never) => match never {},
    };
    let actor = parts.extensions.get::<Resolved>().and_then(|r| r.0.clone());
    let entry = crate::authz::who(actor.as_ref(), &client).entry(
        "csrf.refused",
        "request",
        Some(format!("{} {path}", parts.method)),
    );
    if let Err(e) = phongtrao_storage::audit::record(&state.db, &entry, state.now()).await {
        tracing::error!(error = %e, "cannot record a CSRF refusal in the audit log");
    }
    refuse(path, lang, vi, en)
}

fn refuse(path: &str, lang: Lang, vi: &str, en: &str) -> Response {
    let failure = Failure::new(StatusCode::FORBIDDEN, "csrf", vi, en);
    if path.starts_with("/api/") {
        ApiError(failure).into_response()
    } else {
        failure.page(lang).into_response()
    }
}

/// Whether a GET that changes a stored choice (the campaign switcher) comes from one
/// of this site's own pages, or from a typed address or bookmark: a link on another
/// site (an e-mail, a chat) is not (`Sec-Fetch-Site`, else `Referer`).
pub fn from_this_site(headers: &axum::http::HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match (header("referer"), header("host")) {
        (Some(referer), Some(host)) => same_origin(referer, host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

fn same_origin(value: &str, host: &str) -> bool {
    let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(rest) => rest.split('/').next() == Some(host),
        None => false,
    }
}

/// The middleware. Runs inside the session layer and the gate.
pub async fn verify(State(state): State<AppState>, session: Session, mut request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let anonymous = request.extensions().get::<Resolved>().is_none_or(|r| r.0.is_none());
    // Before login: the login form's token comes from the signed pre-login cookie;
    // no session (and no session row) is made for it.
    let mut new_nonce = None;
    let mut prelogin_expected = None;
    if anonymous && !request.uri().path().starts_with("/static/") {
        if let Some(key) = server_key(&state).await {
            let nonce = match cookie_value(request.headers(), PRELOGIN_COOKIE) {
                Some(n) => n,
                None if safe && request.uri().path() == "/login" => {
                    let mut bytes = [0u8; 32];
                    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
                    let n = hex::encode(bytes);
                    new_nonce = Some(n.clone());
                    n
                }
                None => String::new(),
            };
            if !nonce.is_empty() {
                let token = prelogin_token(&key, &nonce);
                request.extensions_mut().insert(PreLoginToken(token.clone()));
                prelogin_expected = Some(token);
            }
        }
    }
    if safe {
        let mut response = next.run(request).await;
        if let Some(nonce) = new_nonce {
            let cookie = format!("{PRELOGIN_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400");
            if let Ok(v) = cookie.parse() {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        return response;
    }
    let path = request.uri().path().to_string();
    let lang = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(|c| if c.contains("lang=en") { Lang::En } else { Lang::Vi })
        .unwrap_or(Lang::Vi);
    // Exempt: a request made with a valid API token (no cookie authority), or one
    // with a bearer header and no cookie at all (it reaches the handler as nobody).
    let via_token = request.extensions().get::<Resolved>().is_some_and(|r| r.0.as_ref().is_some_and(|a| a.via_token));
    let bearer = request.headers().get(header::AUTHORIZATION).is_some();
    let cookies = request.headers().get(header::COOKIE).is_some();
    if via_token || (bearer && !cookies) {
        return next.run(request).await;
    }
    let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    for name in [header::ORIGIN, header::REFERER] {
        if let Some(value) = request.headers().get(&name).and_then(|v| v.to_str().ok()) {
            if !same_origin(value, &host) {
                tracing::warn!(%path, origin = value, "refused a cross-site request");
                return refuse_logged(
                    &state,
                    &request,
                    &path,
                    lang,
                    "Yêu cầu từ trang web khác bị từ chối.",
                    "Cross-site request refused.",
                )
                .await;
            }
            break;
        }
    }
    // Logging in through the API has no token yet; the same-origin check above applies.
    if path == "/api/v1/session" {
        return next.run(request).await;
    }
    let from_session = if anonymous { None } else { session.get::<String>(SESSION_KEY).await.ok().flatten() };
    let expected = match from_session.or(prelogin_expected) {
        Some(t) => t,
        None => {
            return refuse_logged(
                &state,
                &request,
                &path,
                lang,
                "Phiên làm việc đã hết hạn. Vui lòng tải lại trang và thử lại.",
                "Your session has expired. Please reload the page and try again.",
            )
            .await
        }
    };
    let from_header = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_multipart = content_type.starts_with("multipart/form-data");
    let (request, from_body) = if from_header.is_none() && (is_form || is_multipart) {
        let attachment = crate::pages::attachments::is_upload_path(&path);
        let limit = match (is_multipart, attachment) {
            (true, true) => crate::pages::attachments::MAX_REQUEST_BYTES,
            (true, false) => crate::files::MAX_UPLOAD_BYTES + 64 * 1024,
            (false, _) => FORM_LIMIT,
        };
        let (parts, body) = request.into_parts();
        let bytes = match to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => {
                let (vi, en) = if attachment {
                    (
                        "Tệp quá lớn: mỗi tệp tối đa 10 MB. Chưa lưu gì.",
                        "The file is too large: 10 MB at most per file. Nothing was stored.",
                    )
                } else if is_multipart {
                    ("Tệp quá lớn (tối đa 5 MB).", "The file is too large (5 MB at most).")
                } else {
                    ("Dữ liệu gửi lên quá lớn.", "Request body too large.")
                };
                return Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", vi, en).page(lang).into_response();
            }
        };
        let token = if is_multipart {
            multipart_token(&content_type, bytes.clone()).await
        } else {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
        };
        (Request::from_parts(parts, Body::from(bytes)), token)
    } else {
        (request, None)
    };
    let given = from_header.or(from_body).unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        tracing::warn!(%path, "refused a request without a valid CSRF token");
        return refuse_logged(
            &state,
            &request,
            &path,
            lang,
            "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại.",
            "Your session has expired or the request is invalid. Please reload the page and try again.",
        )
        .await;
    }
    next.run(request).await
}

/// How far into a multipart body the `csrf` field is looked for.
const MULTIPART_TOKEN_WITHIN: usize = 64 * 1024;

/// The `csrf` field of a multipart (file upload) form, read from a copy of the body.
/// Our forms send it first, so only the start of the body is read: the extractor
/// would refuse a whole body over its default 2 MB (a phone's photo is often more),
/// and the upload was then refused as if the session had expired.
async fn multipart_token(content_type: &str, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::FromRequest;
    let head = bytes.slice(..bytes.len().min(MULTIPART_TOKEN_WITHIN));
    let copy = Request::builder().header(header::CONTENT_TYPE, content_type).body(Body::from(head)).ok()?;
    let mut form = axum::extract::Multipart::from_request(copy, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}
