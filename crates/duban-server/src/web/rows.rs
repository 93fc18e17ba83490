//! Tasks as the pages show them: names instead of ids, Chinese labels, lights as classes.

use duban_app::core::TaskView;
use duban_app::reporting::PartyNames;
use duban_domain::task::Light;

/// One line of a task list.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub lead: String,
    pub cooperating: String,
    pub deadline: String,
    pub status: &'static str,
    /// green / yellow / red, or empty when the task is not running.
    pub light: &'static str,
    pub light_label: &'static str,
    /// The latest progress report, where the page shows it.
    pub progress: String,
    /// Whether the title links to the task page.
    pub link: bool,
}

pub fn light(l: Option<Light>) -> (&'static str, &'static str) {
    match l {
        Some(Light::Green) => ("green", "绿灯"),
        Some(Light::Yellow) => ("yellow", "黄灯"),
        Some(Light::Red) => ("red", "红灯"),
        None => ("", ""),
    }
}

impl Row {
    pub fn of(v: &TaskView, names: &PartyNames) -> Self {
        let f = &v.task.fields;
        let (light, light_label) = light(v.light);
        Row {
            id: v.task.id.0,
            number: f.number.clone(),
            title: f.title.clone(),
            lead: names.parties(&f.lead),
            cooperating: names.parties(&f.cooperating),
            deadline: f.deadline.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            status: v.task.status.label(),
            light,
            light_label,
            progress: String::new(),
            link: true,
        }
    }
}
