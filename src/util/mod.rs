//! Small pieces every layer uses and that know nothing of letters: YAML that
//! people write (limits, `FILE:LINE:COL` errors), durations as people write
//! them, and time as the office reads it (WIB).

pub(crate) mod durations;
pub mod timefmt;
pub(crate) mod yaml;
