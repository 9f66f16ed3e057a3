//! What a real Cassandra prints besides `nodetool status`, read into typed values.
//!
//! Pure, like [`crate::nodetool`]: text captured from a pod goes in, a typed value comes out, and
//! no input makes a function panic. Each submodule reads one output:
//!
//! - [`describe`]: `nodetool describecluster`, with every keyspace's replication (4.0+);
//! - [`replication`]: whether a datacenter can shrink to a node count without leaving a keyspace
//!   with more replicas than nodes;
//! - [`failure`]: why a `nodetool` run failed, and whether it only means "the node is starting";
//! - [`exit`]: why a Cassandra JVM exited, from the tail of its container log;
//! - [`netstats`]: `nodetool netstats`, the streaming progress of a leaving or joining node.
//!
//! The formats are Cassandra 5.0's (`tests/fixtures/cassandra-5.0.9/`), with the differences of
//! 3.x and 4.x noted where a parser accepts them.

pub(crate) mod describe;
pub(crate) mod exit;
pub(crate) mod failure;
pub(crate) mod netstats;
pub(crate) mod replication;

#[cfg(test)]
mod never_panics;
