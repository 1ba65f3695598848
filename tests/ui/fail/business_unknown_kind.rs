use monitor_runtime::business_metric;

#[business_metric(summary = "request_size_bytes", help = "Request sizes.")]
fn upload() {}

#[business_metric(countr = "uploads_total", help = "Uploads.")]
fn upload_again() {}

#[business_metric(help = "No metric at all.")]
fn nothing() {}

monitor_runtime::business_metrics! {
    meter UPLOADS = "uploads_total", help = "Uploads.";
    histogramm SIZES = "upload_size_bytes", help = "Upload sizes.", buckets = [1024.0];
}

fn main() {}
