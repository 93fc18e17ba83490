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
    /// 完成时限: the task's own, or the one its rules give (then [`Row::deadline_by_rules`]).
    pub deadline: String,
    pub deadline_by_rules: bool,
    /// The state, as the domain names it (待签收, 办理中, 已销号 …).
    pub status: &'static str,
    /// 逾期天数 in working days, empty when not overdue.
    pub overdue: String,
    /// 分管领导, where the page shows it.
    pub leader: String,
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
            number: duban_domain::task::display_number(&f.number),
            title: f.title.clone(),
            lead: names.parties(&f.lead),
            cooperating: names.parties(&f.cooperating),
            deadline: v.deadline_in_force.map(|d| d.to_string()).unwrap_or_else(|| "未定".into()),
            deadline_by_rules: v.deadline_from_rules,
            status: v.state,
            overdue: v.overdue_days.map(|n| n.to_string()).unwrap_or_default(),
            leader: String::new(),
            light,
            light_label,
            progress: String::new(),
            link: true,
        }
    }
}
