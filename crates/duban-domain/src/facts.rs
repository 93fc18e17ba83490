//! The facts about a task that time-limit rules look at, and the events that start and stop
//! their clocks: the shared vocabulary of [`crate::policy`] (which matches rules to tasks) and
//! [`crate::task`] (which records the facts and the clock). It depends on neither, so the
//! modules form a tree: `facts` ← `policy`, `facts` ← `task`.

use crate::vocabulary;
use jiff::civil::Date;

vocabulary!(
    /// Where a task comes from (REQUIREMENTS §2, "Sources").
    Source, "source" {
        /// Upper-level documents and meetings.
        UpperLevel = "upper_level" / "上级文件会议" | "上级部署" | "上级交办",
        /// The government's own documents and implementation plans.
        Document = "document" / "本级文件" | "政策文件" | "实施方案",
        /// The government's own decisions.
        Decision = "decision" / "政府决策" | "重大决策",
        /// Items decided at meetings (会议议定事项, 000 二(五)3).
        Meeting = "meeting" / "会议议定" | "会议议定事项",
        /// Leaders' written instructions (领导批示, 001 §8).
        Instruction = "instruction" / "领导批示",
        /// Issues raised during a leader's field research (001 §8).
        Research = "research" / "领导调研" | "调研问题",
        /// Inspection, audit and supervision findings to rectify (004 §6).
        Rectification = "rectification" / "督查审计整改" | "巡视巡察督察审计",
        /// Enterprise demands ("企业吹哨", 001 §13).
        Enterprise = "enterprise" / "企业诉求",
        /// Hotline work orders (12345 / 4512345).
        Hotline = "hotline" / "热线工单" | "12345",
        /// People's congress proposals and CPPCC motions.
        Proposal = "proposal" / "建议提案" | "人大建议政协提案",
        /// A liaison's quarterly visit to an enterprise in their charge (包联走访, 000 二(二)1).
        Liaison = "liaison" / "包联走访" | "包联",
        /// A project steward's monthly on-site work (项目管家, 000 二(一)3, 003 附件4 (四)).
        Steward = "steward" / "项目管家",
        /// A department's committed time limit for one of a project's pre-procedures
        /// (项目前期手续, 003 附件4).
        Procedure = "procedure" / "项目前期手续" | "前期手续",
        Other = "other" / "其他",
    }
);

vocabulary!(
    /// 常规 / 重点 / 紧急 / 特急.
    Priority, "priority" {
        Routine = "routine" / "常规",
        Key = "key" / "重点",
        Urgent = "urgent" / "紧急",
        Critical = "critical" / "特急",
    }
);

vocabulary!(
    /// 一般 / 较复杂 / 特别复杂 / 极特殊 (002 三(一)3).
    Complexity, "complexity" {
        General = "general" / "一般",
        Complex = "complex" / "较复杂",
        VeryComplex = "very_complex" / "特别复杂",
        Exceptional = "exceptional" / "极特殊",
    }
);

vocabulary!(
    /// Events that start or stop a rule's clock.
    ClockEvent, "event" {
        /// The task was assigned to the unit (交办 / 收到).
        Received = "received" / "交办" | "收到",
        Signed = "signed" / "签收",
        /// The unit put the work in hand (布置落实 / 部署).
        Deployed = "deployed" / "部署" | "布置落实",
        /// A plan or concrete measures were recorded (形成方案 / 思路 / 具体措施).
        PlanRecorded = "plan_recorded" / "形成方案" | "形成思路" | "形成具体措施",
        /// The office split the issue out to the units in charge (分解交办).
        Dispatched = "dispatched" / "分解交办",
        ProgressReported = "progress_reported" / "报告进展" | "首报",
        /// Completion reported to the assigning leader or office (反馈).
        Feedback = "feedback" / "反馈",
        Done = "done" / "办结",
        OutcomeReported = "outcome_reported" / "报告结果",
        /// The enterprise was contacted ("企业吹哨、部门报到").
        Contacted = "contacted" / "联系企业",
        /// The demand was solved or the service confirmed.
        Resolved = "resolved" / "解决或确认",
    }
);

/// The facts about a task that conditions look at.
#[derive(Debug, Clone, Copy)]
pub struct TaskFacts {
    pub source: Source,
    pub priority: Priority,
    pub complexity: Complexity,
    pub deadline: Option<Date>,
}
