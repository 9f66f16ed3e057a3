//! The real ring: a real Apache Cassandra JVM per pod of a real namespace.

pub mod backoff;
pub mod config;
pub mod jvm;
pub mod logstate;
pub mod node;
pub mod seeds;
pub mod status;
