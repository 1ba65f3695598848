//! The process' own figures (CPU time, memory, file descriptors, threads, start
//! time) from the `prometheus` crate's process collector, which reads `/proc`: on
//! Linux only, added at start-up.

use std::sync::LazyLock;

use prometheus::core::Collector;
use prometheus::process_collector::ProcessCollector;

use crate::core::model::{Family, Kind};
use crate::core::{Claim, INITIALISERS, Initialiser, Source, add_source, convert_families, report};

/// The process collector, its families converted into the model at each
/// collection.
struct ProcessFigures(ProcessCollector);

static PROCESS: LazyLock<ProcessFigures> =
    LazyLock::new(|| ProcessFigures(ProcessCollector::for_self()));

impl Source for ProcessFigures {
    fn collect(&self, out: &mut Vec<Family>) {
        out.extend(convert_families(&self.0.collect()));
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    name: "system",
    run: add_the_source,
};

/// Adds the process figures, claiming the names the collector describes: its one
/// counter (`process_cpu_seconds_total`) ends with `_total`, the rest are gauges.
fn add_the_source() {
    let process: &'static ProcessFigures = &PROCESS;
    let claims: Vec<Claim> = process
        .0
        .desc()
        .into_iter()
        .map(|desc| {
            let name = desc.fq_name.as_str();
            let kind = if name.ends_with("_total") {
                Kind::Counter
            } else {
                Kind::Gauge
            };
            Claim::new(name, kind, desc.help.as_str())
        })
        .collect();
    if let Err(conflict) = add_source(
        process,
        &claims,
        "the process collector",
        "the start-up of monitor_runtime",
    ) {
        report(conflict.into_error("monitor_runtime (the process collector)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claims_agree_with_what_the_collector_gives() {
        let mut families = Vec::new();
        PROCESS.collect(&mut families);
        let described = PROCESS.0.desc();
        assert_eq!(families.len(), described.len());
        for family in &families {
            let desc = described
                .iter()
                .find(|desc| desc.fq_name == family.name)
                .unwrap_or_else(|| panic!("{} is not described", family.name));
            let kind = if family.name.ends_with("_total") {
                Kind::Counter
            } else {
                Kind::Gauge
            };
            assert_eq!(
                (family.kind, family.help.as_ref()),
                (kind, desc.help.as_str())
            );
        }
        assert!(
            families
                .iter()
                .any(|family| family.name == "process_open_fds")
        );
    }
}
