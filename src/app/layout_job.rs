//! Automatic layout in the window: computed on a worker thread that reports its progress and
//! positions so far, shown as concepts gliding to their new places, stoppable at any time, and
//! recorded as one undoable step when it ends.

use std::sync::mpsc::Receiver;
use std::time::Duration;
use web_time::Instant;

use super::QualmapApp;
use super::tasks::{Poll, Task};
use crate::layout::{LayoutParams, LayoutStats};
use crate::model::{ConceptId, Point};
use crate::scene::EguiMeasure;

/// How long concepts take to glide to a new set of positions.
const GLIDE: Duration = Duration::from_millis(450);

/// How often the worker sends the positions so far.
const SNAPSHOT_EVERY: Duration = Duration::from_millis(80);

/// Maps with more concepts jump to the result instead of gliding: moving every concept each
/// frame would cost more than the frame.
const MAX_ANIMATED: usize = 3_000;

/// A layout on its way.
pub(super) struct LayoutJob {
    /// The worker: its progress, its stop, and at the end the moves.
    task: Task<(Vec<(ConceptId, Point)>, LayoutStats)>,
    /// The positions so far, sent now and then while it works (for the glide).
    snapshots: Receiver<Vec<[f32; 2]>>,
    warm: bool,
    /// The concepts, in the order the worker reports them.
    ids: Vec<ConceptId>,
    /// Where they were when the layout started (the undo step goes back here).
    start: Vec<(ConceptId, Point)>,
    animate: bool,
    /// The glide under way: from, to, since.
    glide: Option<(Vec<Point>, Vec<Point>, Instant)>,
    /// Positions drawn now.
    shown: Vec<Point>,
    result: Option<(Vec<(ConceptId, Point)>, LayoutStats)>,
    stopping: bool,
}

impl LayoutJob {
    /// How far the layout is, from 0 to 1.
    pub(super) fn progress(&self) -> f32 {
        if self.result.is_some() { 1.0 } else { self.task.progress().unwrap_or(0.0) }
    }

    /// Whether a stop was asked for.
    pub(super) fn stopping(&self) -> bool {
        self.stopping
    }

    fn glide_to(&mut self, to: Vec<Point>) {
        self.glide = Some((self.shown.clone(), to, Instant::now()));
    }
}

fn ease(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

impl QualmapApp {
    /// Lays out the map on a worker thread, showing it move as it goes; the result is one
    /// undoable step. `warm` only nudges the current positions (after an edit).
    pub fn start_layout(&mut self, ctx: &egui::Context, warm: bool) {
        if self.layout_job.is_some() || self.map.doc().concepts.is_empty() {
            return;
        }
        let measure = EguiMeasure(ctx);
        // Only the cards' sizes: copying a 10k map's scene would cost the window a frame.
        let doc = self.map.shared();
        let cards = crate::layout::card_half_sizes(&doc, self.scene(&measure));
        let ids: Vec<ConceptId> = doc.concepts.iter().map(|c| c.id).collect();
        let start: Vec<(ConceptId, Point)> = doc.concepts.iter().map(|c| (c.id, c.pos)).collect();
        let (snapshot_sender, snapshots) = std::sync::mpsc::channel();
        let worker_ctx = ctx.clone();
        let params = LayoutParams { warm, ..LayoutParams::default() };
        let concepts = ids.len();
        let task = Task::spawn("layout", ctx, move |progress| {
            let mut last_snapshot: Option<Instant> = None;
            let mut last_progress = -1.0f32;
            let result = crate::layout::layout_positions(&doc, &cards, &params, &mut |fraction, positions| {
                if progress.cancelled() {
                    return false;
                }
                if fraction - last_progress >= 0.01 {
                    last_progress = fraction;
                    progress.set(fraction);
                }
                if concepts <= MAX_ANIMATED && last_snapshot.is_none_or(|at| at.elapsed() >= SNAPSHOT_EVERY) {
                    last_snapshot = Some(Instant::now());
                    let mut snapshot = positions();
                    snapshot.truncate(concepts);
                    if snapshot_sender.send(snapshot).is_ok() {
                        worker_ctx.request_repaint();
                    }
                }
                true
            });
            // Let go of the map before handing over: the window applies the result to it, and
            // would copy the whole map (a 10k map: a frame of 100+ ms) while this still held it.
            drop(doc);
            result
        });
        match task {
            Ok(task) => {
                let shown = start.iter().map(|(_, p)| *p).collect();
                self.layout_job = Some(LayoutJob {
                    task,
                    snapshots,
                    warm,
                    ids,
                    start,
                    animate: concepts <= MAX_ANIMATED,
                    glide: None,
                    shown,
                    result: None,
                    stopping: false,
                });
                self.status = if warm { "Tidying the layout…" } else { "Laying out…" }.to_owned();
            }
            Err(err) => self.alert("Could not lay out the map", err.to_string()),
        }
    }

    /// Whether a layout is running (or its result still gliding into place).
    pub fn layout_running(&self) -> bool {
        self.layout_job.is_some()
    }

    /// Asks the running layout to stop; what it has done so far is kept (and can be undone).
    pub fn stop_layout(&mut self) {
        if let Some(job) = &mut self.layout_job {
            job.task.cancel();
            job.stopping = true;
        }
    }

    /// Ends a layout before an edit, undo or drag: a finished one is recorded at once, one
    /// still computing is abandoned and the concepts go back where they were.
    pub(super) fn settle_layout(&mut self) {
        let Some(mut job) = self.layout_job.take() else { return };
        job.task.cancel();
        // A result that has arrived but not been read yet counts as arrived.
        let mut result = job.result;
        if result.is_none()
            && let Poll::Done(done) = job.task.poll()
        {
            result = Some(done);
        }
        match result {
            Some((moves, stats)) => self.record_layout(job.start, moves, &stats, job.warm, false),
            None => {
                self.map.preview_moves(job.start);
                self.status = "Layout abandoned for the edit".to_owned();
            }
        }
    }

    fn record_layout(
        &mut self,
        start: Vec<(ConceptId, Point)>,
        moves: Vec<(ConceptId, Point)>,
        stats: &LayoutStats,
        warm: bool,
        stopped: bool,
    ) {
        let label = if warm { "Tidy layout" } else { "Automatic layout" }.to_owned();
        if !self.map.preview_moves(moves.clone()) {
            return;
        }
        self.map.commit_moves(start, moves, Some(label));
        self.status = if stopped {
            format!("Layout stopped after {:.2} s; what it had done is kept (Undo goes back)", stats.seconds)
        } else {
            format!("Laid out in {:.2} s ({} iterations)", stats.seconds, stats.iterations)
        };
    }

    /// Reads what the worker sent, moves the concepts along, and records the result when the
    /// glide ends. Asks for frames only while something moves or the worker runs.
    pub(super) fn poll_layout(&mut self, ctx: &egui::Context) {
        let Some(job) = &mut self.layout_job else { return };
        let latest: Option<Vec<[f32; 2]>> = job.snapshots.try_iter().last();
        let mut failed = false;
        if job.result.is_none() {
            match job.task.poll() {
                Poll::Done(result) => job.result = Some(result),
                Poll::Running => {}
                // The worker ended without a result (it cannot, short of a panic).
                Poll::Lost => failed = true,
            }
        }
        if failed {
            if let Some(job) = self.layout_job.take() {
                self.map.preview_moves(job.start);
            }
            self.status = "The layout failed; the map is as it was".to_owned();
            return;
        }
        if job.animate {
            if let Some((moves, _)) = &job.result {
                let target: Vec<Point> = moves.iter().map(|(_, p)| *p).collect();
                if job.glide.as_ref().is_none_or(|(_, to, _)| *to != target) {
                    job.glide_to(target);
                }
            } else if let Some(snapshot) = latest
                && snapshot.len() == job.ids.len()
            {
                job.glide_to(snapshot.into_iter().map(|p| Point::new(p[0], p[1])).collect());
            }
        }
        let mut gliding = false;
        let mut shown_moves = None;
        if let Some((from, to, since)) = &job.glide {
            let t = ease(since.elapsed().as_secs_f32() / GLIDE.as_secs_f32());
            job.shown =
                from.iter().zip(to).map(|(a, b)| Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)).collect();
            gliding = t < 1.0;
            shown_moves = Some(job.ids.iter().copied().zip(job.shown.iter().copied()).collect::<Vec<_>>());
        }
        let finished = job.result.is_some() && !gliding;
        // Shown live without an undo step, like a drag; the step is recorded at the end.
        if let Some(moves) = shown_moves {
            self.map.preview_moves(moves);
        }
        if finished {
            let Some(job) = self.layout_job.take() else { return };
            let Some((moves, stats)) = job.result else { return };
            self.record_layout(job.start, moves, &stats, job.warm, job.stopping);
            self.view.fit_requested = !job.warm;
            return;
        }
        if gliding {
            ctx.request_repaint();
        } else {
            // The worker wakes the window when it has news; this is only a safety net.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
    }

    /// The layout's progress bar and Stop button, for the status bar.
    pub(super) fn layout_status_ui(&mut self, ui: &mut egui::Ui) {
        let Some(job) = &self.layout_job else { return };
        let (progress, stopping, warm) = (job.progress(), job.stopping(), job.warm);
        ui.separator();
        let text = if stopping {
            "Stopping…".to_owned()
        } else {
            format!("{} {:.0} %", if warm { "Tidying" } else { "Laying out" }, progress * 100.0)
        };
        ui.add(egui::ProgressBar::new(progress).desired_width(150.0).text(text));
        if ui
            .add_enabled(!stopping && progress < 1.0, egui::Button::new("Stop"))
            .on_hover_text("Stop the layout and keep what it has done so far (Esc)")
            .clicked()
        {
            self.stop_layout();
        }
    }
}
