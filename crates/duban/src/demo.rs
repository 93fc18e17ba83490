//! `duban demo`: a fresh database with the seed-003 unit directory, one person for every role,
//! and a ledger of sample tasks taken from seed 003 (奈曼旗优化营商环境攻坚年行动实施方案).
//! The tasks' dates are set relative to today, so the demo shows every light whatever the day.

use crate::Failure;
use anyhow::Context;
use duban_app::config::{Config, DatabaseUrl};
use duban_app::service::Services;
use duban_domain::calendar::{Calendar, UnknownYears};
use duban_domain::ids::{EnterpriseId, LedgerId, PersonId, ProjectId, UnitId};
use duban_domain::org::{PersonInput, Role};
use duban_domain::policy::ClockEvent;
use duban_domain::task::{Classification, Complexity, Milestone, NewTask, Party, Priority, Source, Status};
use duban_store::{NewLedger, PartyRef, Store};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The unit directory shipped with the project.
pub const NAIMAN_UNITS: &str = include_str!("../../../data/units/naiman.toml");

const DEFAULT_DEMO_DB: &str = "duban-demo.db";

/// One sample task: number, title, text, lead and cooperating names, and its timing.
struct Sample {
    number: &'static str,
    section: &'static str,
    title: &'static str,
    text: &'static str,
    lead: &'static [&'static str],
    cooperating: &'static [&'static str],
    /// Received this many working days before today.
    received_wd_ago: i32,
    /// The task's own deadline, this many working days after today.
    deadline_wd: Option<i32>,
    complexity: Complexity,
    source: Source,
    priority: Priority,
    classification: Classification,
    /// Clock events that happened: (event, working days before today).
    done: &'static [(ClockEvent, i32)],
    status: Status,
    milestones: &'static [(i32, &'static str)],
    targets: &'static [&'static str],
}

const SAMPLES: &[Sample] = &[
    Sample {
        number: "（1）",
        section: "二、重点任务 / （一）打造市场主体全生命周期服务链 / 1.优化企业开办服务",
        title: "推行电子营业执照“一照通办”",
        text: "推进电子营业执照跨地区、跨部门、跨层级应用，12月底前申请人可凭电子营业执照办理企业管理、社区事务受理、社会化服务等政务服务事项，全面推广应用电子印章、电子签名。",
        lead: &["旗行政审批和政务服务局"],
        cooperating: &["旗市场监管局", "旗直有关部门"],
        received_wd_ago: 12,
        deadline_wd: None,
        complexity: Complexity::Complex,
        source: Source::Document,
        priority: Priority::Key,
        classification: Classification::Public,
        done: &[(ClockEvent::Signed, 11)],
        status: Status::Signed,
        milestones: &[],
        targets: &[],
    },
    Sample {
        number: "（3）",
        section: "二、重点任务 / （一）打造市场主体全生命周期服务链 / 1.优化企业开办服务",
        title: "企业开办事项整合为1个环节办理",
        text: "企业登记、刻制印章、申领发票及税控设备、企业员工参保登记、住房公积金企业缴存登记等开办事项整合为1个环节办理，开办时间全面压缩至0.5个工作日以内。",
        lead: &["旗行政审批和政务服务局"],
        cooperating: &["旗市场监管局", "公安局", "人社局", "住建局", "税务局"],
        received_wd_ago: 2,
        deadline_wd: Some(2),
        complexity: Complexity::General,
        source: Source::Document,
        priority: Priority::Key,
        classification: Classification::Public,
        done: &[(ClockEvent::Signed, 1)],
        status: Status::Signed,
        milestones: &[],
        targets: &["开办时间压缩至0.5个工作日以内"],
    },
    Sample {
        number: "（13）",
        section: "二、重点任务 / （一）打造市场主体全生命周期服务链 / 2.提升建筑许可办理效率",
        title: "将航空净空数据、气象探测环境保护数据纳入“多规合一”平台",
        text: "在土地招拍挂前将涉及净空管理的项目建筑限高要求在规划设计条件中予以明确，其他审批环节不再征求民航主管部门意见。",
        lead: &["旗自然资源局", "气象局"],
        cooperating: &[],
        received_wd_ago: 1,
        deadline_wd: Some(15),
        complexity: Complexity::VeryComplex,
        source: Source::Document,
        priority: Priority::Routine,
        classification: Classification::Public,
        done: &[],
        status: Status::Assigned,
        milestones: &[],
        targets: &[],
    },
    Sample {
        number: "1.",
        section: "奈曼旗落实通辽市深入推行“蒙速办·掌上办”攻坚行动实施方案 / （一）持续提高“蒙速办”APP注册量",
        title: "完成“蒙速办”APP新增注册用户6万人任务指标",
        text: "完成“蒙速办”APP新增注册用户6万人任务指标数量。",
        lead: &["旗行政审批和政务服务局"],
        cooperating: &["旗直各部门", "各苏木乡镇场、街道"],
        received_wd_ago: 30,
        deadline_wd: Some(18),
        complexity: Complexity::VeryComplex,
        source: Source::Document,
        priority: Priority::Key,
        classification: Classification::Public,
        done: &[(ClockEvent::Signed, 29), (ClockEvent::Deployed, 28)],
        status: Status::InProgress,
        milestones: &[(-3, "完成任务指标70%"), (18, "完成任务指标的100%")],
        targets: &["新增注册用户6万人"],
    },
    Sample {
        number: "（五）",
        section: "奈曼旗落实通辽市政务服务“就近办”改革攻坚行动实施方案 / 二、主要措施",
        title: "设置“就近办”事项综合窗口",
        text: "按照统一规范科学合理设置苏木乡镇场（街道）便民服务中心“就近办”事项“综合窗口”，配备必要的办公设备。",
        lead: &["各苏木乡镇场、街道"],
        cooperating: &[],
        received_wd_ago: 0,
        deadline_wd: Some(20),
        complexity: Complexity::General,
        source: Source::Document,
        priority: Priority::Routine,
        classification: Classification::Public,
        done: &[],
        status: Status::Assigned,
        milestones: &[],
        targets: &[],
    },
    Sample {
        number: "（46）",
        section: "二、重点任务 / （一）打造市场主体全生命周期服务链 / 4.提升不动产登记便利度",
        title: "一般登记和抵押登记压缩至1个工作日内办结",
        text: "全旗一般登记和抵押登记办理时间压缩至1个工作日内办结，查封登记、注销登记、异议登记即时办结。",
        lead: &["旗自然资源局"],
        cooperating: &["旗住建局", "行政审批和政务服务局", "税务局"],
        received_wd_ago: 25,
        deadline_wd: Some(-5),
        complexity: Complexity::General,
        source: Source::Document,
        priority: Priority::Routine,
        classification: Classification::Public,
        done: &[
            (ClockEvent::Signed, 24),
            (ClockEvent::Deployed, 23),
            (ClockEvent::Done, 6),
            (ClockEvent::OutcomeReported, 4),
        ],
        status: Status::Closed,
        milestones: &[],
        targets: &["1个工作日内办结"],
    },
    Sample {
        number: "批示〔1〕",
        section: "领导批示",
        title: "旗长批示：尽快协调解决工业园区企业用电报装问题",
        text: "园区企业反映用电报装周期长，请供电公司会同工业园区管委会尽快研究解决，并报告办理情况。",
        lead: &["国网奈曼供电公司"],
        cooperating: &["旗工业园区管委会"],
        received_wd_ago: 0,
        deadline_wd: None,
        complexity: Complexity::General,
        source: Source::Instruction,
        priority: Priority::Critical,
        classification: Classification::Internal,
        done: &[],
        status: Status::Assigned,
        milestones: &[],
        targets: &[],
    },
    Sample {
        number: "（196）",
        section: "二、重点任务 / （四）营造亲商护商的社会环境 / 17.构建亲清政商关系",
        title: "全面清偿政府拖欠民营企业和中小企业账款",
        text: "坚持新官必须理旧账，全面清偿政府拖欠民营企业和中小企业账款。",
        lead: &["旗工信局", "财政局"],
        cooperating: &["旗直相关部门"],
        received_wd_ago: 8,
        deadline_wd: Some(20),
        complexity: Complexity::Exceptional,
        source: Source::Document,
        priority: Priority::Key,
        classification: Classification::Secret,
        done: &[(ClockEvent::Signed, 7)],
        status: Status::Signed,
        milestones: &[],
        targets: &[],
    },
];

/// The demo's password for a user: printed when the demo starts, so anyone can sign in as any
/// role. Only for the demo database.
pub fn demo_password(username: &str) -> String {
    // The password rule refuses a password that contains the user name, so the demo's spell
    // it backwards: office → Duban-eciffo-2026.
    format!("Duban-{}-2026", username.chars().rev().collect::<String>())
}

/// People for every role.
fn people(units: &impl Fn(&str) -> Option<UnitId>) -> Vec<PersonInput> {
    let p = |name: &str, username: &str, unit: &str, roles: &[Role], title: &str, domains: &[&str], charge: &[&str]| {
        PersonInput {
            name: name.into(),
            username: username.into(),
            unit_id: units(unit),
            roles: roles.iter().map(|r| r.code().to_string()).collect(),
            title: title.into(),
            phone: String::new(),
            email: format!("{username}@naiman.example"),
            domains: domains.iter().map(|s| s.to_string()).collect(),
            charge_units: charge.iter().filter_map(|u| units(u)).collect(),
        }
    };
    vec![
        p("系统管理员", "admin", "旗政府办公室", &[Role::Admin], "管理员", &[], &[]),
        p("王督查", "office", "旗政府办公室", &[Role::Office], "督查室主任", &[], &[]),
        p(
            "李旗长",
            "leader",
            "奈曼旗人民政府",
            &[Role::Leader],
            "副旗长",
            &["营商环境", "政务服务"],
            &["旗行政审批和政务服务局", "旗市场监管局", "旗自然资源局"],
        ),
        p("赵局长", "head", "旗行政审批和政务服务局", &[Role::UnitHead], "局长", &[], &[]),
        p("陈经办", "officer", "旗行政审批和政务服务局", &[Role::Officer], "科员", &[], &[]),
        p("周经办", "officer2", "旗自然资源局", &[Role::Officer], "科员", &[], &[]),
    ]
}

/// `n` working days from today; past the holiday data, weekends only (the schedules then show
/// that those years have no data yet).
fn wd(cal: &Calendar, today: Date, n: i32) -> Date {
    cal.add_workdays(today, n)
        .or_else(|_| cal.clone().with_unknown_years(UnknownYears::WeekendsOnly).add_workdays(today, n))
        .map(|r| r.value)
        .unwrap_or(today)
}

/// 09:30 Beijing time on a day.
fn morning(d: Date, tz: &jiff::tz::TimeZone) -> Timestamp {
    d.to_zoned(tz.clone()).map(|z| z.timestamp() + SignedDuration::from_mins(570)).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub async fn run(config: &Config, database: Option<String>, bind: &str, no_serve: bool) -> Result<(), Failure> {
    let url = match database {
        Some(url) => url,
        None => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{DEFAULT_DEMO_DB}{suffix}"));
            }
            format!("sqlite:{DEFAULT_DEMO_DB}")
        }
    };
    let (duban, store) = crate::open_with_store(config, &url).await?;
    if !store.list_units().await?.is_empty()
        || store.list_tasks(&Default::default()).await.map(|p| p.total).unwrap_or(0) > 0
    {
        return Err(Failure::Input(format!(
            "数据库 {} 已有数据；演示需要一个新的数据库",
            DatabaseUrl::new(url.clone()).redacted()
        )));
    }
    say!("演示数据库：{}", DatabaseUrl::new(url.clone()).redacted());
    let directory = duban_domain::org::UnitDirectory::from_toml(NAIMAN_UNITS)?;
    let units = store.import_directory(&directory, duban.core().now()).await?;
    say!(
        "单位名录（data/units/naiman.toml，取自 003 号文件）：单位 {} 个，单位组 {} 个，名称和别名 {} 个",
        units.units_created,
        units.groups_created,
        units.names
    );
    let made = load(&duban, &store).await.context("载入演示数据")?;
    say!("\n演示人员（各角色一人）：");
    let mut rows = vec![vec!["用户名".to_string(), "密码".into(), "姓名".into(), "角色".into(), "单位".into()]];
    for (username, name, role, unit) in &made.people {
        rows.push(vec![username.clone(), demo_password(username), name.clone(), role.clone(), unit.clone()]);
    }
    put!("{}", crate::table::render(&rows));
    say!("\n任务台账“{}”：{} 项任务", made.ledger_name, made.tasks.len());
    let mut rows = vec![vec![
        "序号".to_string(),
        "任务".into(),
        "牵头单位".into(),
        "状态".into(),
        "预警".into(),
        "最近截止".into(),
    ]];
    rows.extend(made.tasks.iter().cloned());
    put!("{}", crate::table::render(&rows));
    say!("\n重点企业 {} 家、重点项目 {} 个（虚构，见“企业服务”）", made.registry.0, made.registry.1);
    let s = &made.service;
    say!(
        "包联企业 {} 家（{} 家未包联，见“全覆盖”），本季走访 {} 次；项目管家 {} 人次（{} 个项目未配、{} 人职级不够）",
        s.liaisons,
        made.registry.0 - s.liaisons,
        s.visits,
        s.stewards,
        s.projects_without_steward,
        s.low_rank
    );
    say!(
        "前期手续 {} 个项目 {} 项（{} 项已过承诺时限，督办由监督巡查发出）",
        s.procedure_projects,
        s.procedures,
        s.overdue
    );
    say!(
        "企业诉求 {} 件：待分派 {}、待联系 {}、已联系 {}、已解决并评价 {}、难度较大 {}、走访转来 {}",
        s.demands.iter().sum::<usize>(),
        s.demands[0],
        s.demands[1],
        s.demands[2],
        s.demands[3],
        s.demands[4],
        s.demands[5]
    );
    if no_serve {
        return Ok(());
    }
    say!();
    crate::serve(duban, bind, &config.jobs).await
}

struct Made {
    people: Vec<(String, String, String, String)>,
    ledger_name: String,
    tasks: Vec<Vec<String>>,
    /// How many key enterprises and key projects were added.
    registry: (usize, usize),
    service: Service,
}

async fn load(duban: &Arc<Services>, store: &Arc<dyn Store>) -> Result<Made, duban_domain::Error> {
    let all_units = store.list_units().await?;
    let unit_id =
        |name: &str| all_units.iter().find(|u| u.name == name || u.aliases.iter().any(|a| a == name)).map(|u| u.id);
    let mut people_out = Vec::new();
    let mut officer: Option<PersonId> = None;
    let mut leader: Option<PersonId> = None;
    let mut persons = Vec::new();
    for p in people(&unit_id) {
        let person = store.create_person(&p.parse()?, duban.core().now()).await?;
        persons.push(person.clone());
        duban.sign_in().set_password(person.id, &demo_password(&person.fields.username)).await?;
        let unit_name = person
            .fields
            .unit_id
            .and_then(|u| all_units.iter().find(|x| x.id == u))
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let roles: Vec<&str> = person.fields.roles.iter().map(|r| r.label()).collect();
        if person.fields.roles.contains(&Role::Leader) {
            leader = Some(person.id);
        }
        if person.fields.username == "officer" {
            officer = Some(person.id);
        }
        people_out.push((person.fields.username.clone(), person.fields.name.clone(), roles.join("、"), unit_name));
    }
    let ledger = store
        .create_ledger(
            &NewLedger {
                name: "奈曼旗落实通辽市优化营商环境攻坚年行动实施方案（演示）".into(),
                doc_number: None,
                issued: Some(Date::constant(2022, 3, 18)),
                issuer: "中共奈曼旗委员会办公室 奈曼旗人民政府办公室".into(),
                source: Source::Document,
            },
            duban.core().now(),
        )
        .await?;
    let tz = duban.core().policy().timezone();
    let cal = duban.core().calendar();
    let now = duban.core().now();
    let today = now.to_zoned(tz.clone()).date();
    let mut rows = Vec::new();
    for s in SAMPLES {
        let task = insert_sample(duban, store, s, ledger.id, leader, officer, &cal, today, &tz).await?;
        let view = duban.core().view(task, now, false);
        let light = Some(duban_server::web::rows::light(view.light).1).filter(|l| !l.is_empty()).unwrap_or("—");
        let due = view.due_at.map(|t| t.to_zoned(tz.clone()).date().to_string()).unwrap_or_else(|| "—".into());
        rows.push(vec![
            s.number.to_string(),
            s.title.chars().take(20).collect::<String>(),
            s.lead.join("、"),
            view.task.status.label().to_string(),
            light.to_string(),
            due,
        ]);
    }
    let (enterprises, projects) = load_registry(duban, &unit_id).await?;
    let service = load_service(duban, &unit_id, &persons, &enterprises, &projects).await?;
    Ok(Made {
        people: people_out,
        ledger_name: ledger.fields.name,
        tasks: rows,
        registry: (enterprises.len(), projects.len()),
        service,
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_sample(
    duban: &Services,
    store: &Arc<dyn Store>,
    s: &Sample,
    ledger: LedgerId,
    leader: Option<PersonId>,
    officer: Option<PersonId>,
    cal: &Calendar,
    today: Date,
    tz: &jiff::tz::TimeZone,
) -> Result<duban_domain::task::Task, duban_domain::Error> {
    let parties = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        async move {
            let mut out = Vec::new();
            for n in names {
                match store.resolve_name(&n).await? {
                    Some(PartyRef::Unit(u)) => out.push(Party::Unit(u)),
                    Some(PartyRef::Group(g)) => out.push(Party::Group(g)),
                    None => return Err(duban_domain::Error::not_found(format!("单位“{n}”"))),
                }
            }
            Ok::<_, duban_domain::Error>(out)
        }
    };
    let lead = parties(s.lead).await?;
    let cooperating = parties(s.cooperating).await?;
    // Never in the future, whatever the hour or the day the demo runs.
    let now = duban.core().now();
    let received_at = if s.received_wd_ago == 0 {
        now - SignedDuration::from_hours(1)
    } else {
        morning(wd(cal, today, -s.received_wd_ago), tz).min(now)
    };
    let fields = NewTask {
        ledger_id: Some(ledger),
        parent_id: None,
        number: s.number.into(),
        title: s.title.into(),
        text: s.text.into(),
        section: s.section.into(),
        source: s.source,
        lead,
        cooperating,
        leader_id: leader,
        responsible_person_id: officer,
        deadline: s.deadline_wd.map(|n| wd(cal, today, n)),
        milestones: s
            .milestones
            .iter()
            .map(|(n, t)| Milestone { due: wd(cal, today, *n), text: (*t).into() })
            .collect(),
        targets: s.targets.iter().map(|t| t.to_string()).collect(),
        work_standard: String::new(),
        priority: s.priority,
        complexity: s.complexity,
        classification: s.classification,
        received_at,
    };
    let clock: BTreeMap<ClockEvent, Timestamp> =
        s.done.iter().map(|(e, ago)| (*e, morning(wd(cal, today, -ago), tz) + SignedDuration::from_hours(1))).collect();
    duban.tasks().insert_task(fields, s.status, clock, serde_json::json!({ "source": "demo" }), None).await
}

/// Invented key enterprises (name, industry, scale, the unit whose area it is in).
const DEMO_ENTERPRISES: &[(&str, &str, &str, &str)] = &[
    ("奈曼旗示例风电装备有限公司", "风电装备制造", "规上", "通辽奈曼工业园区管理委员会"),
    ("奈曼旗示例光伏新能源有限公司", "光伏发电", "规上", "通辽奈曼工业园区管理委员会"),
    ("奈曼旗示例硅砂新材料有限公司", "非金属矿物制品", "规上", "通辽奈曼工业园区管理委员会"),
    ("奈曼旗示例钛业有限公司", "有色金属冶炼", "规上", "通辽奈曼工业园区管理委员会"),
    ("奈曼旗示例生物制药有限公司", "医药制造", "规上", "通辽奈曼工业园区管理委员会"),
    ("奈曼旗示例玉米深加工有限公司", "农副食品加工", "规上", "大沁他拉镇"),
    ("奈曼旗示例肉牛屠宰有限公司", "农副食品加工", "规上", "八仙筒镇"),
    ("奈曼旗示例乳业有限公司", "乳制品制造", "规上", "青龙山镇"),
    ("奈曼旗示例荞麦食品有限公司", "食品制造", "规上", "新镇"),
    ("奈曼旗示例建材有限公司", "水泥制品", "规上", "治安镇"),
    ("奈曼旗示例热电有限公司", "热力生产和供应", "规上", "大沁他拉街道"),
    ("奈曼旗示例饲料有限公司", "饲料加工", "规上", "东明镇"),
    ("奈曼旗示例甘薯加工有限公司", "农副食品加工", "规上", "沙日浩来镇"),
    ("奈曼旗示例纺织有限公司", "纺织业", "规上", "义隆永镇"),
    ("奈曼旗示例机械制造有限公司", "通用设备制造", "规上", "通辽奈曼工业园区管理委员会"),
    ("奈曼旗示例商贸有限公司", "批发业", "限上", "大沁他拉街道"),
    ("奈曼旗示例购物中心有限公司", "零售业", "限上", "大沁他拉街道"),
    ("奈曼旗示例汽车销售有限公司", "汽车零售", "限上", "大沁他拉镇"),
    ("奈曼旗示例石油销售有限公司", "燃料零售", "限上", "八仙筒镇"),
    ("奈曼旗示例农资连锁有限公司", "农资批发", "限上", "白音他拉苏木"),
    ("奈曼旗示例大酒店有限公司", "住宿业", "限上", "大沁他拉街道"),
    ("奈曼旗示例餐饮管理有限公司", "餐饮业", "限上", "大沁他拉镇"),
    ("奈曼旗示例医药连锁有限公司", "药品零售", "限上", "大沁他拉街道"),
    ("奈曼旗示例粮贸有限公司", "粮食批发", "限上", "固日班花苏木"),
    ("奈曼旗示例物流有限公司", "道路货物运输", "其他", "通辽奈曼工业园区管理委员会"),
    ("奈曼旗示例沙漠旅游有限公司", "旅游业", "其他", "明仁苏木"),
    ("奈曼旗示例电子商务有限公司", "互联网零售", "其他", "大沁他拉街道"),
    ("奈曼旗示例种养殖专业合作社", "畜牧业", "其他", "黄花塔拉苏木"),
    ("奈曼旗示例建筑工程有限公司", "房屋建筑业", "其他", "土城子乡"),
    ("奈曼旗示例数据服务有限公司", "信息技术服务", "其他", "苇莲苏乡"),
];

/// Invented key projects across the investment tiers (003 附件4 (四)): over 5亿, 1–5亿,
/// 5000万–1亿, under 5000万, and one at 1000万 (no steward needed): name, the investing
/// enterprise (an index into [`DEMO_ENTERPRISES`]), total investment, stage, months since
/// signing, responsible unit.
/// A demo project: name, investor (index), total investment, stage, months since signing, unit.
type DemoProject = (&'static str, usize, &'static str, &'static str, i8, &'static str);

const DEMO_PROJECTS: &[DemoProject] = &[
    ("50万千瓦风电基地项目", 0, "32亿", "在建", 14, "旗发展和改革委员会"),
    ("20万千瓦光伏治沙项目", 1, "9.6亿", "前期", 5, "旗发展和改革委员会"),
    ("年产60万吨高纯硅砂项目", 2, "5.8亿", "在建", 10, "旗工业和信息化局"),
    ("钛白粉技改扩能项目", 3, "3.2亿", "在建", 8, "旗工业和信息化局"),
    ("生物制药原料药项目", 4, "2.45亿", "前期", 4, "通辽奈曼工业园区管理委员会"),
    ("30万吨玉米深加工项目", 5, "1.8亿", "签约", 2, "旗农牧和科技局"),
    ("肉牛屠宰精深加工项目", 6, "1.2亿", "在建", 7, "旗农牧和科技局"),
    ("乳制品生产线扩建项目", 7, "8600万", "在建", 9, "旗农牧和科技局"),
    ("城区集中供热改造项目", 10, "6500万", "投产", 16, "旗住房和城乡建设局"),
    ("风电塔筒配套加工项目", 14, "5000万", "前期", 3, "旗工业和信息化局"),
    ("荞麦精深加工项目", 8, "3800万", "在建", 6, "旗工业和信息化局"),
    ("冷链物流园项目", 24, "2600.5万", "签约", 1, "旗商务局"),
    ("沙漠旅游服务区项目", 25, "1800万", "前期", 3, "旗文化和旅游局"),
    ("电商直播基地项目", 26, "1200万", "签约", 2, "旗商务局"),
    ("种养结合示范项目", 27, "1000万", "签约", 1, "旗农牧和科技局"),
];

/// The demo's key enterprises and projects (invented; credit codes with a true check
/// character), written through the service so each has its first version in the history.
async fn load_registry(
    duban: &Services,
    unit_id: &impl Fn(&str) -> Option<UnitId>,
) -> Result<(Vec<EnterpriseId>, Vec<ProjectId>), duban_domain::Error> {
    use duban_domain::enterprise::{CreditCode, EnterpriseInput, ProjectInput};
    let cli = duban_app::actor::Actor::command_line();
    let mut ids = Vec::new();
    for (i, (name, industry, scale, unit)) in DEMO_ENTERPRISES.iter().enumerate() {
        let code = CreditCode::completing(&format!("91150525MA0{:06}", 100_000 + 37 * i))?;
        let input = EnterpriseInput {
            name: Some((*name).into()),
            credit_code: Some(code.to_string()),
            industry: Some((*industry).into()),
            scale: Some((*scale).into()),
            address: Some(format!("内蒙古自治区通辽市奈曼旗{unit}")),
            contact_name: Some(format!("{}经理", ["王", "李", "张", "刘", "陈", "杨"][i % 6])),
            contact_phone: Some(format!("1390475{:04}", 1000 + i)),
            unit_id: unit_id(unit),
            note: None,
        };
        ids.push(duban.enterprises().create_enterprise(&cli, input).await?.id);
    }
    let today = duban.core().now().to_zoned(duban.core().policy().timezone()).date();
    let mut projects = Vec::new();
    for (name, investor, amount, stage, months, unit) in DEMO_PROJECTS {
        let signed = today.checked_sub(jiff::Span::new().months(*months)).ok();
        let input = ProjectInput {
            name: Some((*name).into()),
            investor: DEMO_ENTERPRISES.get(*investor).map(|e| e.0.to_string()),
            enterprise_id: ids.get(*investor).copied(),
            total_investment: Some((*amount).into()),
            stage: Some((*stage).into()),
            signed_on: signed.map(|d| d.to_string()),
            location: DEMO_ENTERPRISES.get(*investor).map(|e| e.3.to_string()),
            industry: DEMO_ENTERPRISES.get(*investor).map(|e| e.1.to_string()),
            unit_id: unit_id(unit),
            note: None,
        };
        projects.push(duban.enterprises().create_project(&cli, input).await?.id);
    }
    Ok((ids, projects))
}

/// What the demo put into the enterprise service.
struct Service {
    liaisons: usize,
    visits: usize,
    stewards: usize,
    projects_without_steward: usize,
    low_rank: usize,
    procedure_projects: usize,
    procedures: usize,
    overdue: usize,
    /// Demands: queued, assigned, contacted, resolved and rated, hard, raised from a visit.
    demands: [usize; 6],
}

/// Who is the liaison of each demo enterprise (by username; `None` leaves a gap for 全覆盖).
fn liaison_of(i: usize) -> Option<&'static str> {
    match i {
        0..=4 => Some("leader"),
        5..=14 => Some("head"),
        15..=20 => Some("officer"),
        21..=25 => Some("officer2"),
        _ => None,
    }
}

/// The steward of each demo project (username, rank), across the tiers (003 附件4 (四)): one
/// of too low a rank (a 正科级 on a 9.6亿 project), one project without (the 3800万 one), and
/// the 1000万 one needs none.
fn steward_of(i: usize) -> Option<(&'static str, &'static str)> {
    match i {
        0 | 2..=6 => Some(("leader", "county")),
        1 => Some(("head", "section")),
        7 | 8 => Some(("head", "deputy_division")),
        9 | 13 => Some(("officer", "deputy_section")),
        11 | 12 => Some(("officer2", "deputy_section")),
        _ => None,
    }
}

/// The enterprise service on the one engine: liaisons, this quarter's visits (one problem
/// turned into a demand), stewards, procedures of three projects started on past days (one
/// past its committed date: the supervision pass issues its 督办 as for any task), and demands
/// at every stage.
async fn load_service(
    duban: &Services,
    unit_id: &impl Fn(&str) -> Option<UnitId>,
    persons: &[duban_domain::org::Person],
    enterprises: &[EnterpriseId],
    projects: &[ProjectId],
) -> Result<Service, duban_domain::Error> {
    use duban_app::actor::Actor;
    use duban_app::demands::{AssignInput, RaiseInput};
    use duban_app::lifecycle::ActionInput;
    use duban_domain::demand::{DemandInput, PublicDemandInput};
    use duban_domain::liaison::{AssignmentInput, ServiceKind, VisitInput};
    use duban_domain::procedure::ProcedureInput;
    let cli = Actor::command_line();
    let person = |username: &str| {
        persons.iter().find(|p| p.fields.username == username).cloned().ok_or(duban_domain::Error::Internal)
    };
    let approval = unit_id("旗行政审批和政务服务局").ok_or(duban_domain::Error::Internal)?;
    let officer = person("officer")?;
    let l = duban.liaison();
    let mut out = Service {
        liaisons: 0,
        visits: 0,
        stewards: 0,
        projects_without_steward: 0,
        low_rank: 0,
        procedure_projects: 0,
        procedures: 0,
        overdue: 0,
        demands: [0; 6],
    };
    // Liaisons, and this quarter's visits of the first enterprise of each liaison.
    let mut visited = Vec::new();
    for (i, e) in enterprises.iter().enumerate() {
        let Some(who) = liaison_of(i) else { continue };
        let p = person(who)?;
        let input = AssignmentInput { person_id: Some(p.id.0), enterprise_id: Some(e.0), ..Default::default() };
        let a = l.assign(&cli, ServiceKind::Liaison, input).await?;
        out.liaisons += 1;
        if liaison_of(i.wrapping_sub(1)) != Some(who) {
            visited.push((a.id, p, i));
        }
    }
    let demands = duban.demands();
    for (assignment, p, i) in visited {
        let problems = if i == 5 {
            vec!["扩建项目用电增容报装进展慢，影响新生产线投产".to_string()]
        } else {
            Vec::new()
        };
        let input = VisitInput {
            met: Some(format!("{}经理", ["王", "李", "张", "刘", "陈", "杨"][i % 6])),
            policies: Some("宣讲稳经济一揽子政策、惠企政策兑现流程".into()),
            work: Some("了解生产经营情况和用工、用地需求".into()),
            problems,
            ..Default::default()
        };
        let me = Actor::new(p);
        let v = l.record_visit(&me, assignment, input).await?;
        out.visits += 1;
        if !v.problems.is_empty() {
            let assign = AssignInput { lead: vec![Party::Unit(approval)], hard: false, responsible_person_id: None };
            l.raise_problem(&me, demands, v.id, 0, "factors", assign).await?;
            out.demands[5] += 1;
        }
    }
    // Stewards.
    for (i, pr) in projects.iter().enumerate() {
        match steward_of(i) {
            Some((who, rank)) => {
                let input = AssignmentInput {
                    person_id: Some(person(who)?.id.0),
                    project_id: Some(pr.0),
                    rank: Some(rank.into()),
                    ..Default::default()
                };
                l.assign(&cli, ServiceKind::Steward, input).await?;
                out.stewards += 1;
                out.low_rank += usize::from(i == 1);
            }
            None => out.projects_without_steward += usize::from(i != 14),
        }
    }
    // Procedures of three projects, started on past days; the first one's first procedure is
    // past its committed date.
    let p = duban.procedures();
    let kinds = p.kinds(&cli).await?;
    let cal = duban.core().calendar();
    let today = duban.core().now().to_zoned(duban.core().policy().timezone()).date();
    for (n, (project, unit, started_ago)) in
        [(1, "旗发展和改革委员会", 25), (4, "通辽奈曼工业园区管理委员会", 6), (5, "旗自然资源局", 3)]
            .into_iter()
            .enumerate()
    {
        let Some(pid) = projects.get(project) else { continue };
        out.procedure_projects += 1;
        for (k, kind) in kinds.iter().enumerate().take(if n == 0 { 4 } else { 3 }) {
            let input = ProcedureInput {
                project_id: Some(*pid),
                kind_id: Some(kind.id),
                unit_id: unit_id(unit),
                days: Some(match (n, k) {
                    (0, 0) => 10,
                    (0, _) => 30,
                    _ => 10,
                }),
                note: None,
            };
            // The committed date must fall within the holiday data (the office could not start
            // it otherwise): near the data's end, the demo commits to fewer days.
            let started = wd(&cal, today, -started_ago);
            let mut input = input;
            while let Some(d) = input
                .days
                .filter(|d| *d > 1 && i32::try_from(*d).map_or(true, |n| cal.add_workdays(started, n).is_err()))
            {
                input.days = Some(d - 1);
            }
            let added = p.add(&cli, input).await?;
            let view = p.start(&cli, added.id, Some(started)).await?;
            out.procedures += 1;
            out.overdue += usize::from(view.overdue);
        }
    }
    // Demands at every stage.
    let client = std::net::IpAddr::from([127, 0, 0, 1]);
    let demand = |e: usize, channel: &str, kind: &str, text: &str| DemandInput {
        enterprise_id: enterprises.get(e).copied(),
        enterprise_name: DEMO_ENTERPRISES.get(e).map(|x| x.0.to_string()).unwrap_or_default(),
        contact_name: format!("{}经理", ["王", "李", "张", "刘", "陈", "杨"][e % 6]),
        contact_phone: format!("1390475{:04}", 1000 + e),
        channel: channel.into(),
        kind: kind.into(),
        text: text.into(),
        ..Default::default()
    };
    demands
        .submit_public(
            client,
            PublicDemandInput {
                enterprise_name: "奈曼旗示例小微餐饮店".into(),
                contact_name: "孙女士".into(),
                contact_phone: "13904751234".into(),
                kind: "policy".into(),
                title: "咨询小微企业稳岗补贴申领".into(),
                text: "想了解今年小微企业稳岗补贴的申领条件和办理渠道。".into(),
                ..Default::default()
            },
        )
        .await?;
    out.demands[0] += 1;
    let lead = || AssignInput { lead: vec![Party::Unit(approval)], hard: false, responsible_person_id: None };
    let raise = |d: DemandInput, assign: AssignInput| demands.raise(&cli, RaiseInput { demand: d, assign });
    raise(demand(16, "hotline_12345", "approval", "购物中心扩建消防审验需要多部门联合审查，希望一次办好。"), lead())
        .await?;
    out.demands[1] += 1;
    let act = |task: duban_domain::task::Task, action: &str, text: &str| {
        duban.lifecycle().act(
            task.id,
            ActionInput {
                action: action.into(),
                actor: Some(officer.id.0),
                version: Some(task.version),
                text: text.into(),
                ..Default::default()
            },
        )
    };
    let (_, t) =
        raise(demand(18, "hotline_4512345", "approval", "加油站改造项目的危险化学品经营许可证变更办理。"), lead())
            .await?;
    act(t.task, "contact", "已电话联系企业，约定上门指导材料").await?;
    out.demands[2] += 1;
    let (recorded, t) =
        raise(demand(20, "service_day", "policy", "项目服务日反映：住宿业纾困补助资金尚未到位。"), lead()).await?;
    let t = act(t.task, "contact", "已联系企业核实申报情况").await?;
    act(t.task, "resolve", "补助资金已拨付到账，企业确认").await?;
    demands
        .rate(
            client,
            &recorded.code,
            duban_app::demands::RatingInput { satisfaction: "satisfied".into(), comment: "办理及时".into() },
        )
        .await?;
    out.demands[3] += 1;
    raise(
        demand(2, "hotline_12345", "factors", "高纯硅砂项目用地涉及林地调整，需多部门会商解决。"),
        AssignInput { hard: true, ..lead() },
    )
    .await?;
    out.demands[4] += 1;
    Ok(out)
}

#[cfg(test)]
mod registry_tests {
    use super::*;
    use duban_domain::enterprise::{ProjectInput, Yuan};

    #[test]
    fn the_demo_projects_span_the_investment_tiers_and_name_shipped_units() {
        let dir = duban_domain::org::UnitDirectory::from_toml(NAIMAN_UNITS).unwrap();
        let known = |n: &str| dir.units.iter().any(|u| u.name == n);
        assert!(DEMO_ENTERPRISES.iter().all(|e| known(e.3)), "every enterprise's unit is in the directory");
        assert!(DEMO_PROJECTS.iter().all(|p| known(p.5) && p.1 < DEMO_ENTERPRISES.len()));
        let amounts: Vec<Yuan> = DEMO_PROJECTS
            .iter()
            .map(|p| {
                ProjectInput { name: Some(p.0.into()), total_investment: Some(p.2.into()), ..Default::default() }
                    .parse()
                    .unwrap()
                    .total_investment
            })
            .collect();
        let count = |lo: Yuan, hi: Yuan| amounts.iter().filter(|a| **a > lo && **a <= hi).count();
        assert!(count(Yuan::yi(5), Yuan::yi(10_000)) >= 2, "over 5亿");
        assert!(count(Yuan::yi(1), Yuan::yi(5)) >= 2, "1–5亿");
        assert!(count(Yuan::wan(5000), Yuan::yi(1)) >= 2, "5000万–1亿");
        assert!(count(Yuan::wan(1000), Yuan::wan(5000)) >= 2, "under 5000万");
        assert!(amounts.iter().any(|a| *a <= Yuan::wan(1000)), "one at or under 1000万");
        assert_eq!((DEMO_ENTERPRISES.len(), DEMO_PROJECTS.len()), (30, 15));
    }
}
