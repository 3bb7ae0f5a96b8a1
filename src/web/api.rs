//! The board for other programs: `GET /api/letters` (the fields of
//! `suratd status --json`) and `GET /api/letters/{id}` (those of
//! `suratd history --json`). A Rahasia letter's subject, notes and file
//! paths (a file's name holds the subject) are replaced for those who may
//! not see them, as on the pages.

use super::access;
use super::state::{Ext, St, with_ctx};
use crate::records::report;
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub(crate) async fn letters(axum::extract::State(s): St, axum::Extension(v): Ext) -> Response {
    let rows = with_ctx(&s, v, |c| {
        let mut rows = report::status_rows(&c.db, &c.wf, c.now)?;
        for r in rows.iter_mut() {
            if let Some(l) = c.db.letter(&r.id)?
                && !access::sees(&c.wf, &c.viewer, &l)
            {
                r.subject = access::HIDDEN.into();
                // The file's name holds the subject.
                r.path = r.path.as_ref().map(|_| access::HIDDEN.into());
            }
        }
        Ok(rows)
    })
    .await;
    match rows {
        Ok(rows) => Json(rows).into_response(),
        Err(r) => r,
    }
}

pub(crate) async fn letter(axum::extract::State(s): St, axum::Extension(v): Ext, Path(id): Path<String>) -> Response {
    let rows = with_ctx(&s, v, move |c| {
        let Some(l) = c.db.find_letter(id.trim())? else { return Ok(None) };
        let mut rows = report::history_rows(c.db.history(&l.id)?);
        if !access::sees(&c.wf, &c.viewer, &l) {
            for r in rows.iter_mut() {
                r.note = None;
                r.path = r.path.as_ref().map(|_| access::HIDDEN.into());
            }
        }
        Ok(Some(rows))
    })
    .await;
    match rows {
        Ok(Some(rows)) => Json(rows).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, Json(serde_json::json!({"error": "no letter with this id or number"})))
            .into_response(),
        Err(r) => r,
    }
}
