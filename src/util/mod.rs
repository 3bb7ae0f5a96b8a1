//! Small pieces every layer uses and that know nothing of letters: YAML that
//! people write (limits, `FILE:LINE:COL` errors), durations as people write
//! them, time as the office reads it (WIB), and the heartbeat to systemd's
//! watchdog that long waits keep going.

pub(crate) mod durations;
pub mod heartbeat;
pub mod timefmt;
pub(crate) mod yaml;
