use monitor_runtime::business_metric;

#[business_metric(counter = "widgets_total", help = "Widgets.")]
struct Widget;

#[business_metric(counter = "spins_total", help = "Spins.")]
const fn spin() -> u32 {
    1
}

#[business_metric(counter = "exits_total", help = "Exits.")]
fn exit() -> ! {
    std::process::exit(0)
}

fn main() {}
