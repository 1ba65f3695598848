//! A small demo service: monitored functions, a background workload, and the
//! exporter on 127.0.0.1:9898.

mod business;

fn main() {
    business::start();
}
