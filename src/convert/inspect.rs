//! Opening a Word or OpenDocument file as untrusted bytes (to come).
