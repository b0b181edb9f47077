//! Work on worker threads (opening a map, building a large map's scene, importing, exporting):
//! one type for all of it. A [`Task`] is spawned with a name and a closure, runs below the
//! window's priority, can report progress and be asked to stop, wakes the window when it is done,
//! and is polled once a frame. A worker that dies (a panic) is reported as lost, never waited for
//! forever. (rerun's `BackgroundTasks` plays this part there.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Duration;
#[cfg(not(target_arch = "wasm32"))]
use web_time::Instant;

/// What a running task's work is given: a way to say how far it is and to see whether it
/// should stop.
#[derive(Clone)]
pub struct Progress {
    /// How far, 0–1, as the bits of an `f32` (NaN: not said).
    done: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    ctx: egui::Context,
}

impl Progress {
    /// Says how far the work is (0 to 1) and wakes the window to show it.
    pub fn set(&self, fraction: f32) {
        self.done.store(fraction.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
        self.ctx.request_repaint_after(Duration::from_millis(100));
    }

    /// Whether the user asked the task to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// How a task stands when polled.
#[derive(Debug)]
pub enum Poll<T> {
    /// Still working.
    Running,
    /// Finished with this result.
    Done(T),
    /// The worker stopped without a result (it panicked).
    Lost,
}

/// Work running on a worker thread.
pub struct Task<T> {
    receiver: Receiver<T>,
    done: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
}

impl<T: Send + 'static> Task<T> {
    /// Starts `work` on a worker thread called `name`, below the window's priority; the window
    /// is woken when it is done.
    pub fn spawn(
        name: &'static str,
        ctx: &egui::Context,
        work: impl FnOnce(&Progress) -> T + Send + 'static,
    ) -> std::io::Result<Self> {
        let (sender, receiver) = channel();
        let done = Arc::new(AtomicU32::new(f32::NAN.to_bits()));
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Progress { done: Arc::clone(&done), cancel: Arc::clone(&cancel), ctx: ctx.clone() };
        // The web has no threads by default: the work is done here, and its result is ready at
        // the first poll (the window waits for it, as it would for work done in the frame).
        #[cfg(target_arch = "wasm32")]
        {
            let _ = name;
            let _ = sender.send(work(&progress));
            progress.ctx.request_repaint();
        }
        #[cfg(not(target_arch = "wasm32"))]
        super::spawn_background(name, move || {
            let started = Instant::now();
            let result = work(&progress);
            let _ = sender.send(result);
            super::log_slow(&format!("{name} (worker)"), started.elapsed());
            progress.ctx.request_repaint();
        })?;
        Ok(Self { receiver, done, cancel })
    }

    /// How the task stands; its result once (after that it is [`Poll::Lost`]).
    pub fn poll(&mut self) -> Poll<T> {
        match self.receiver.try_recv() {
            Ok(result) => Poll::Done(result),
            Err(TryRecvError::Empty) => Poll::Running,
            Err(TryRecvError::Disconnected) => Poll::Lost,
        }
    }

    /// How far the work said it is (0–1), if it said.
    pub fn progress(&self) -> Option<f32> {
        let fraction = f32::from_bits(self.done.load(Ordering::Relaxed));
        (!fraction.is_nan()).then_some(fraction)
    }

    /// Asks the work to stop (it sees [`Progress::cancelled`]).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T: Send + 'static>(task: &mut Task<T>) -> Poll<T> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match task.poll() {
                Poll::Running if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
                other => return other,
            }
        }
    }

    #[test]
    fn a_task_gives_its_result_and_progress() {
        let ctx = egui::Context::default();
        let mut task = Task::spawn("test-task", &ctx, |progress| {
            progress.set(0.5);
            21 * 2
        })
        .unwrap();
        assert!(matches!(wait(&mut task), Poll::Done(42)));
        assert_eq!(task.progress(), Some(0.5));
    }

    #[test]
    fn a_task_can_be_asked_to_stop() {
        let ctx = egui::Context::default();
        let mut task = Task::spawn("test-cancel", &ctx, |progress| {
            let deadline = Instant::now() + Duration::from_secs(20);
            while !progress.cancelled() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            progress.cancelled()
        })
        .unwrap();
        task.cancel();
        assert!(matches!(wait(&mut task), Poll::Done(true)));
    }

    #[test]
    fn a_worker_that_dies_is_lost_not_waited_for() {
        let ctx = egui::Context::default();
        let mut task: Task<u8> = Task::spawn("test-panic", &ctx, |_| panic!("on purpose")).unwrap();
        assert!(matches!(wait(&mut task), Poll::Lost));
    }
}
