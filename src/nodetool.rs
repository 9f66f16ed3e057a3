//! `nodetool status` parser (in progress).
