//! casctl: deploy and operate an Apache Cassandra ring on Kubernetes.

pub mod nodetool;
