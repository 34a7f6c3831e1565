//! The state file: a write-ahead log of [`Change`]s, one JSON array per
//! line (the changes of one request, or one tick, together).
//!
//! Nothing is answered before its changes are on disk: a request's changes
//! are queued in state order, a writer thread appends whatever has queued
//! up and calls `fsync`, and the request waits until the log is durable up
//! to its place (group commit: one `fsync` serves every request that queued
//! meanwhile). A `kill -9` can then only lose changes nobody was told about,
//! and at worst leaves a torn last line, which replay drops.
//!
//! On start the log is replayed, then rewritten compactly (one `put` per
//! resource, one line per remembered token) through a temporary file and a
//! rename, so it does not grow without bound across restarts.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;

use crate::error::ApiError;
use crate::store::Change;

/// How far the log is on disk.
#[derive(Debug, Clone, Copy)]
struct Durable {
    /// Every append numbered up to this one is on disk.
    upto: u64,
    /// Writing failed; nothing more will be durable.
    failed: bool,
}

struct Queue {
    buf: Vec<u8>,
    /// Number of the last append queued.
    appended: u64,
    closed: bool,
    failed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
    durable: watch::Sender<Durable>,
}

pub(crate) struct Wal {
    shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

/// Exclusive use of a state file, for as long as this is alive. Two
/// emulators on one file would interleave two histories in it. The lock is
/// taken on a sibling `<file>.lock`, because the state file itself is
/// replaced by a rename on every start.
pub(crate) struct StateLock {
    _file: File,
}

/// Takes the lock on `path`'s state, or says which emulator holds it.
pub(crate) fn lock(path: &Path) -> io::Result<StateLock> {
    let lock_path = sibling(path, ".lock");
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path)?;
    match file.try_lock() {
        Ok(()) => Ok(StateLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            format!(
                "the state file {} is in use by another emulator (it holds {}); stop that one, or give this one another state file",
                path.display(),
                lock_path.display()
            ),
        )),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Reads every record of the log at `path`; an absent file is an empty log.
/// A torn last line (no newline: its write never completed, so nobody was
/// told it succeeded) is dropped; a bad line before the end is an error.
pub(crate) fn replay(path: &Path) -> io::Result<Vec<Vec<Change>>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(last) => &bytes[..=last],
        None => &[][..],
    };
    let mut records = Vec::new();
    for (i, line) in complete.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = serde_json::from_slice(line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} line {}: not a state record ({e})", path.display(), i + 1),
            )
        })?;
        records.push(record);
    }
    Ok(records)
}

impl Wal {
    /// Replaces the log at `path` with `snapshot` (atomically, through a
    /// temporary file), then opens it for appending.
    pub fn create(path: &Path, snapshot: &[Change], write_delay: Duration) -> io::Result<Wal> {
        let tmp = sibling(path, ".tmp");
        {
            let mut file = File::create(&tmp)?;
            let mut buf = Vec::new();
            for change in snapshot {
                line(&mut buf, std::slice::from_ref(change));
            }
            file.write_all(&buf)?;
            file.sync_all()?;
        }
        fs::rename(&tmp, path)?;
        sync_dir(path)?;
        let file = OpenOptions::new().append(true).open(path)?;
        let (durable, _) = watch::channel(Durable { upto: 0, failed: false });
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue { buf: Vec::new(), appended: 0, closed: false, failed: false }),
            wake: Condvar::new(),
            durable,
        });
        let writer = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("vpc-emulator-wal".into())
                .spawn(move || write_loop(&shared, file, write_delay))?
        };
        Ok(Wal { shared, writer: Mutex::new(Some(writer)) })
    }

    /// Queues one record; returns its number, to wait on with [`Wal::durable`].
    /// Called with the state locked, so records queue in state order.
    pub fn append(&self, changes: &[Change]) -> Result<u64, ApiError> {
        let mut queue = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        if queue.failed || queue.closed {
            return Err(ApiError::internal("The state file cannot be written."));
        }
        line(&mut queue.buf, changes);
        queue.appended += 1;
        let number = queue.appended;
        drop(queue);
        self.shared.wake.notify_one();
        Ok(number)
    }

    /// The number of the last record queued: a reader that saw the state
    /// waits for this before answering, so it never reports a change that
    /// could still be lost.
    pub fn appended(&self) -> u64 {
        self.shared.queue.lock().unwrap_or_else(|e| e.into_inner()).appended
    }

    /// Waits until record `number` (and every one before it) is on disk.
    pub async fn durable(&self, number: u64) -> Result<(), ApiError> {
        let ok = |d: &Durable| d.upto >= number;
        let current = *self.shared.durable.borrow();
        if ok(&current) {
            return Ok(());
        }
        let mut rx = self.shared.durable.subscribe();
        match rx.wait_for(|d| ok(d) || d.failed).await {
            Ok(d) if ok(&d) => Ok(()),
            _ => Err(ApiError::internal("The change could not be saved to the state file.")),
        }
    }
}

impl Wal {
    /// Writes out what is queued, then stops the writer; later appends are
    /// refused. Returns once the file is no longer written.
    pub fn close(&self) {
        self.shared.queue.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
        self.shared.wake.notify_one();
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        self.close();
    }
}

fn write_loop(shared: &Shared, mut file: File, delay: Duration) {
    loop {
        let (buf, upto) = {
            let mut queue = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            while queue.buf.is_empty() && !queue.closed {
                queue = shared.wake.wait(queue).unwrap_or_else(|e| e.into_inner());
            }
            if queue.buf.is_empty() {
                return;
            }
            (std::mem::take(&mut queue.buf), queue.appended)
        };
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        // `sync_data` suffices: the file only grows, and its length is data.
        match file.write_all(&buf).and_then(|()| file.sync_data()) {
            Ok(()) => shared.durable.send_modify(|d| d.upto = upto),
            Err(e) => {
                eprintln!("vpc-emulator: cannot write the state file, refusing further changes: {e}");
                shared.queue.lock().unwrap_or_else(|e| e.into_inner()).failed = true;
                shared.durable.send_modify(|d| d.failed = true);
                return;
            }
        }
    }
}

fn line(buf: &mut Vec<u8>, changes: &[Change]) {
    serde_json::to_writer(&mut *buf, changes).expect("changes serialize to JSON");
    buf.push(b'\n');
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Makes the rename itself durable.
fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Resource, Store};

    fn put(id: &str, state: &str, seq: u64) -> Change {
        Change::Put {
            resource: Resource {
                kind: "Thing".into(),
                id: id.into(),
                seq,
                state: state.into(),
                pending: None,
                region: None,
                fields: [("Name".to_string(), "line\n\"two\"".to_string())].into(),
                tags: vec![("env".into(), "prod".into())],
            },
        }
    }

    #[tokio::test]
    async fn appended_records_replay_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.log");
        {
            let wal = Wal::create(&path, &[], Duration::ZERO).unwrap();
            let a = wal.append(&[put("a", "New", 0)]).unwrap();
            let b = wal.append(&[put("b", "New", 1), put("a", "Done", 0)]).unwrap();
            wal.durable(b).await.unwrap();
            assert!(a < b);
            assert_eq!(wal.appended(), b);
        }
        // A write cut short by a crash.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"[{"op":"delete","kind":"Thi"#).unwrap();
        drop(file);

        let records = replay(&path).unwrap();
        assert_eq!(records.len(), 2);
        let mut store = Store::default();
        records.iter().flatten().for_each(|c| store.apply(c));
        assert_eq!(store.get("Thing", "a").unwrap().state, "Done");
        assert!(store.get("Thing", "b").is_some());

        // Compaction keeps the state and drops the torn tail.
        drop(Wal::create(&path, &store.snapshot(), Duration::ZERO).unwrap());
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let mut again = Store::default();
        replay(&path).unwrap().iter().flatten().for_each(|c| again.apply(c));
        assert_eq!(again.snapshot(), store.snapshot());
    }

    #[test]
    fn a_bad_line_before_the_end_is_an_error_and_no_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.log");
        assert!(replay(&path).unwrap().is_empty());
        fs::write(&path, "garbage\n[]\n").unwrap();
        let e = replay(&path).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
