//! Serving connections with limits, so that idle or slow sockets cannot make the
//! server unreachable (issue #15): a connection must send its request headers within
//! the header timeout, which also closes an idle keep-alive connection; at most
//! `max_connections` are served at once, and one more is answered 503 at once and
//! closed, so the process never runs out of file descriptors.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::security::SecuritySettings;

/// Serves `router` on `listener` until `shutdown` completes, then lets the requests
/// in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &SecuritySettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Refusals in progress are bounded too: past them a connection is just closed.
    let refusals = Arc::new(Semaphore::new(256));
    let header_timeout = limits.header_timeout;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors or a reset before accept: wait a moment.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            if let Ok(refusing) = refusals.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream).await;
                    drop(refusing);
                });
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.map(axum::body::Body::new)
        });
        let service = TowerToHyperService::new(service);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).keep_alive(true);
            let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
            let mut connection = std::pin::pin!(connection);
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(error = %e, %peer, "connection ended");
                        }
                        break;
                    }
                    changed = stop.changed() => {
                        connection.as_mut().graceful_shutdown();
                        if changed.is_err() {
                            // The server is gone: finish this connection, then stop.
                            let _ = connection.as_mut().await;
                            break;
                        }
                    }
                }
            }
            drop(permit);
        });
    }
    let _ = stop_tx.send(true);
    // Wait for the connections in flight (each holds a permit), at most 30 s.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(30), permits.acquire_many(all)).await;
    Ok(())
}

/// One connection over the cap: a clear 503 (both languages, the API's JSON shape),
/// then closed.
async fn refuse(mut stream: TcpStream) {
    let body = serde_json::json!({"error": {
        "code": "overloaded",
        "message_vi": "Máy chủ đang quá tải. Vui lòng thử lại sau ít giây.",
        "message_en": "The server is overloaded. Please try again in a few seconds.",
        "retry_after_seconds": 5,
    }})
    .to_string();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n\
         Referrer-Policy: same-origin\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        // Read the request's head first (a client may not expect an answer before
        // it has sent its request), at most 8 KB and one second.
        let mut head = Vec::with_capacity(1024);
        let mut buf = [0u8; 1024];
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            while head.len() < 8192 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}
