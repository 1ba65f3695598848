//! The part of Grafana's dashboard model the generated dashboards use, typed and
//! serialised with serde (field names as Grafana spells them).

use serde::Serialize;

/// The data source every panel and query variable uses: the `datasource` template
/// variable, so that file provisioning works without `${DS_…}` inputs.
pub(super) fn datasource() -> DataSourceRef {
    DataSourceRef {
        kind: "prometheus",
        uid: "${datasource}",
    }
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct DataSourceRef {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) uid: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Dashboard {
    pub(super) uid: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) tags: Vec<String>,
    pub(super) timezone: &'static str,
    pub(super) editable: bool,
    pub(super) graph_tooltip: u8,
    pub(super) time: TimeRange,
    pub(super) refresh: &'static str,
    pub(super) schema_version: u32,
    pub(super) templating: Templating,
    pub(super) annotations: Annotations,
    pub(super) links: Vec<DashboardLink>,
    pub(super) panels: Vec<Panel>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct TimeRange {
    pub(super) from: &'static str,
    pub(super) to: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Templating {
    pub(super) list: Vec<Variable>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Annotations {
    pub(super) list: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DashboardLink {
    pub(super) title: &'static str,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) icon: &'static str,
    pub(super) tooltip: &'static str,
    pub(super) tags: Vec<String>,
    pub(super) as_dropdown: bool,
    pub(super) target_blank: bool,
    pub(super) include_vars: bool,
    pub(super) keep_time: bool,
}

/// A template variable.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Variable {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) name: &'static str,
    pub(super) label: &'static str,
    pub(super) description: &'static str,
    pub(super) query: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) datasource: Option<DataSourceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) definition: Option<String>,
    /// 1: when the dashboard loads; 2: when the time range changes.
    pub(super) refresh: u8,
    pub(super) include_all: bool,
    pub(super) multi: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) all_value: Option<&'static str>,
    /// 1: alphabetical.
    pub(super) sort: u8,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct GridPos {
    pub(super) h: u32,
    pub(super) w: u32,
    pub(super) x: u32,
    pub(super) y: u32,
}

/// A panel: a time series, a stat, a table or a text.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Panel {
    pub(super) id: u32,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) datasource: DataSourceRef,
    pub(super) grid_pos: GridPos,
    pub(super) targets: Vec<Target>,
    pub(super) field_config: FieldConfigSource,
    pub(super) options: PanelOptions,
}

/// A Prometheus query of a panel.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Target {
    pub(super) ref_id: String,
    pub(super) datasource: DataSourceRef,
    pub(super) expr: String,
    pub(super) legend_format: String,
    pub(super) range: bool,
    pub(super) instant: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct FieldConfigSource {
    pub(super) defaults: FieldDefaults,
    pub(super) overrides: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct FieldDefaults {
    pub(super) unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) thresholds: Option<Thresholds>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Thresholds {
    pub(super) mode: &'static str,
    pub(super) steps: Vec<Step>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Step {
    pub(super) value: Option<f64>,
    pub(super) color: &'static str,
}

/// The options of a panel, by kind (as the panel schemas of Grafana spell them).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(super) enum PanelOptions {
    TimeSeries(TimeSeriesOptions),
    Stat(StatOptions),
    Text(TextOptions),
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct TimeSeriesOptions {
    pub(super) legend: LegendOptions,
    pub(super) tooltip: TooltipOptions,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LegendOptions {
    pub(super) display_mode: &'static str,
    pub(super) placement: &'static str,
    pub(super) show_legend: bool,
    pub(super) calcs: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct TooltipOptions {
    pub(super) mode: &'static str,
    pub(super) sort: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StatOptions {
    pub(super) graph_mode: &'static str,
    pub(super) color_mode: &'static str,
    pub(super) justify_mode: &'static str,
    pub(super) text_mode: &'static str,
    pub(super) wide_layout: bool,
    pub(super) show_percent_change: bool,
    pub(super) reduce_options: ReduceOptions,
    pub(super) percent_change_color_mode: &'static str,
    pub(super) orientation: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct ReduceOptions {
    pub(super) calcs: Vec<&'static str>,
    pub(super) fields: &'static str,
    pub(super) values: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct TextOptions {
    pub(super) mode: &'static str,
    pub(super) content: String,
}
