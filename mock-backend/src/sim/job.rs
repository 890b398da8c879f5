//! A simulated job of a backend other than K12: the header every one has, and the store of a
//! backend's jobs.

use axum::response::Response;
use serde::Serialize;

use crate::error::ApiError;
use crate::record::touched;
use crate::sim::clock::unix_now;
use crate::sim::knobs::Knobs;
use crate::sim::timeline::Timeline;
use crate::sim::wire;
use crate::AppState;

/// What every simulated job has: its id (shared with the request records), its client, the knobs
/// it was created with, its timeline, its creation time and how many status requests it had.
#[derive(Clone, Debug)]
pub struct Header {
    /// The job's id among every job of the server.
    pub id: u64,
    /// Whose job it is.
    pub client: String,
    /// The knobs of the request that created it.
    pub knobs: Knobs,
    /// Where it is, as a function of time.
    pub timeline: Timeline,
    /// Created at, seconds since the epoch.
    pub created_unix: i64,
    /// Status requests so far (the wire faults count them).
    pub polls: u64,
}

impl Header {
    /// A new job of `rows` rows, created now with `knobs`.
    pub fn new(state: &AppState, knobs: Knobs, rows: u64) -> Header {
        Header {
            id: state.next_job_id(),
            client: knobs.client.clone(),
            timeline: knobs.timeline(state.now_ms(), rows),
            knobs,
            created_unix: unix_now(),
            polls: 0,
        }
    }

    /// Counts a status request; returns its index (from 0).
    pub fn poll(&mut self) -> u64 {
        self.polls += 1;
        self.polls - 1
    }

    /// The wire fault of the `index`-th status request, if the job's scenario has one.
    pub fn fault(&self, index: u64) -> Option<Response> {
        wire::fault(self.knobs.scenario, self.knobs.seed(), index)
    }

    /// Counts a status request (see [`Header::poll`]) and answers it: the wire fault the job's
    /// scenario calls for, else `view` as JSON (cut short if the scenario says so), recorded under
    /// the job.
    pub fn respond(&mut self, view: &impl Serialize) -> Result<Response, ApiError> {
        let index = self.poll();
        let answer = match self.fault(index) {
            Some(fault) => fault,
            None => {
                let text = serde_json::to_string(view).map_err(|e| ApiError::Internal(e.to_string()))?;
                wire::status_answer(text, self.knobs.scenario, index)
            }
        };
        Ok(touched(answer, Some(self.id), &self.client))
    }
}

/// A job of some backend: anything with a [`Header`].
pub trait Job {
    /// Its header.
    fn header(&self) -> &Header;
}

/// A backend's jobs, oldest first; cleared by `POST /__mock/reset`.
#[derive(Debug)]
pub struct JobStore<J> {
    /// The jobs.
    pub list: Vec<J>,
}

impl<J> Default for JobStore<J> {
    fn default() -> JobStore<J> {
        JobStore { list: Vec::new() }
    }
}

impl<J: Job> JobStore<J> {
    /// Forgets the jobs of one client, or of all.
    pub fn clear(&mut self, client: Option<&str>) {
        self.list.retain(|j| client.is_some_and(|c| j.header().client != c));
    }

    /// The job with id `id`.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut J> {
        self.list.iter_mut().find(|j| j.header().id == id)
    }

    /// The jobs of `client`, newest first.
    pub fn newest_of<'a>(&'a self, client: &'a str) -> impl DoubleEndedIterator<Item = &'a J> + 'a {
        self.list.iter().rev().filter(move |j| j.header().client == client)
    }
}
