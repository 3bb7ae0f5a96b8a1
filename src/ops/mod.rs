//! Running suratd on a server: making the share's folders, Samba and ACL
//! settings, comparing the database with the folders (`fsck`), checking one
//! file (`verify`), backups (`backup`), whether the time limit fits systemd's
//! watchdog (`watchdog`), and logging.

pub mod backup;
pub mod fsck;
pub mod import;
pub mod init;
pub mod logging;
pub mod samba;
pub mod verify;
pub mod watchdog;
