//! The model: plain data read from the database, and pure functions over it.

pub mod annotate;
pub mod schema;
pub mod session;
pub mod status;
pub mod time;
pub mod tree;
