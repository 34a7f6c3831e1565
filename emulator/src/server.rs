//! The HTTP side: a hyper HTTP/1.1 server with keep-alive on 127.0.0.1, on
//! a runtime of its own, so that the emulator runs the same way under a
//! test's runtime, a benchmark's, or none (the binary).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::request::ApiRequest;
use crate::service::{ApiError, Handled, Reply, Service};

/// Request bodies larger than this are refused: RPC parameters are small.
const MAX_BODY: usize = 1 << 20;

/// Starts emulators.
pub struct Emulator;

impl Emulator {
    /// Binds `127.0.0.1:config.port`, replays the state file if there is
    /// one, and starts serving in the background.
    pub fn start(config: Config) -> io::Result<EmulatorHandle> {
        if config.keys.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "at least one access key is needed"));
        }
        config.faults.check().map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let threads = match config.threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        // Everything that can fail comes before the runtime, which must not
        // be dropped inside a caller's own runtime.
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let service = Arc::new(Service::new(&config)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("vpc-emulator")
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let (stop, stopped) = watch::channel(false);
        runtime.spawn(accept_loop(listener, service.clone(), stopped.clone()));
        if let Some(every) = config.tick_every.filter(|d| !d.is_zero()) {
            runtime.spawn(tick_loop(service.clone(), every, stopped));
        }
        Ok(EmulatorHandle { addr, service, stop, runtime: Some(runtime) })
    }
}

/// A running emulator. Stops when dropped, or with [`EmulatorHandle::shutdown`].
pub struct EmulatorHandle {
    addr: SocketAddr,
    service: Arc<Service>,
    stop: watch::Sender<bool>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// The address it listens on: 127.0.0.1 and the port asked for, or the
    /// one the system picked for port 0.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, to give a client as its endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Advances the service's own progress by `steps`: each resource
    /// completes a transient state (Terminating to Terminated) or takes the
    /// first step its lifecycle lists (Initial to Allocating). Returns how
    /// many moves were made; 0 once everything rests.
    pub fn tick(&self, steps: u32) -> usize {
        self.service.tick(steps)
    }

    /// How many requests met each injected fault so far.
    pub fn injected_faults(&self) -> crate::InjectedFaults {
        self.service.injected()
    }

    /// Stops accepting, closes connections and ends the background work.
    /// Every change already acknowledged is already in the state file.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let _ = self.stop.send(true);
        if let Some(runtime) = self.runtime.take() {
            // Blocking to wait is not allowed inside another runtime.
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                runtime.shutdown_timeout(Duration::from_secs(2));
            }
        }
        // Tasks of a runtime shut down in the background may still hold the
        // service: close its state file now, so a restart can take it.
        self.service.close();
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}

async fn accept_loop(listener: TcpListener, service: Arc<Service>, mut stopped: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                // Answers are small and sent whole: do not hold them back.
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_connection(stream, service.clone()));
            }
            // Out of file descriptors and the like: wait, rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, service: Arc<Service>) {
    let handler = service_fn(move |req| {
        let service = service.clone();
        async move { answer(&service, req).await }
    });
    // Errors here are the peer's doing (a closed or broken connection) or
    // an injected drop; either way the connection is done.
    // Half-close: a client may shut its side once the request is sent and
    // still wait for the answer.
    let _ =
        http1::Builder::new().keep_alive(true).half_close(true).serve_connection(TokioIo::new(stream), handler).await;
}

/// An injected fault: hyper closes the connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

async fn answer(service: &Service, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
    let (parts, body) = req.into_parts();
    let (body, too_large) = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => (collected.to_bytes(), false),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => (Bytes::new(), true),
        Err(_) => return Err(Dropped),
    };
    let request = ApiRequest::new(parts.method.as_str(), parts.uri.path(), parts.uri.query(), parts.headers, body);
    if too_large {
        let message = format!("The request body is larger than {MAX_BODY} bytes.");
        return Ok(response(service.refuse(&request, ApiError::new(413, "RequestEntityTooLarge", message))));
    }
    match service.handle(&request).await {
        Handled::Drop => Err(Dropped),
        Handled::Reply(reply) => Ok(response(reply)),
    }
}

fn response(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static(reply.content_type));
    if let Ok(id) = hyper::header::HeaderValue::from_str(&reply.request_id) {
        headers.insert("x-acs-request-id", id);
    }
    response
}

async fn tick_loop(service: Arc<Service>, every: Duration, mut stopped: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            _ = interval.tick() => {
                let service = service.clone();
                // The state lock and the log queue are held only briefly, but
                // they are blocking locks: keep them off the reactor.
                let _ = tokio::task::spawn_blocking(move || service.tick(1)).await;
            }
        }
    }
}
