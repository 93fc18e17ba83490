//! The organisation (REQUIREMENTS §1): units in a hierarchy (市 → 旗/区 → 苏木乡镇/街道 →
//! 嘎查村/社区), unit groups that expand to their members, and people with roles.
//!
//! The unit directory is a TOML file shipped with the project and loaded by
//! `duban units import FILE`. [`UnitDirectory`] parses and checks it: every name and alias must
//! point to exactly one unit or group, parents must exist, and group members must exist.

use crate::ids::{GroupId, PersonId, UnitId};
use crate::{Error, vocabulary};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

vocabulary!(
    /// What sort of body a unit is.
    UnitKind, "kind" {
        Government = "government" / "人民政府" | "政府",
        Party = "party" / "党委部门",
        Department = "department" / "政府部门" | "部门",
        Institution = "institution" / "事业单位",
        Township = "township" / "苏木乡镇" | "乡镇",
        Street = "street" / "街道",
        Park = "park" / "园区",
        Judicial = "judicial" / "法院检察院",
        Congress = "congress" / "人大政协",
        Organisation = "organisation" / "人民团体",
        /// Vertically managed offices stationed in the banner (税务, 气象, 人民银行 …).
        Vertical = "vertical" / "驻地单位",
        Enterprise = "enterprise" / "企业",
        Bank = "bank" / "银行业金融机构",
    }
);

vocabulary!(
    /// The tier of the administrative hierarchy.
    UnitLevel, "level" {
        City = "city" / "市",
        County = "county" / "旗区" | "旗" | "区" | "县",
        Township = "township" / "苏木乡镇街道",
        Village = "village" / "嘎查村社区",
    }
);

vocabulary!(
    /// What a person may do.
    Role, "role" {
        Admin = "admin" / "管理员",
        /// The supervision office (督查室 / 效能办).
        Office = "office" / "督查室" | "效能办",
        /// A leader in charge of domains and units (分管领导).
        Leader = "leader" / "分管领导" | "领导",
        /// The unit's head (主要负责人).
        UnitHead = "unit_head" / "主要负责人" | "单位负责人",
        /// An officer who signs, reports and gives feedback (经办人).
        Officer = "officer" / "经办人",
    }
);

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub id: UnitId,
    pub name: String,
    pub kind: UnitKind,
    pub level: UnitLevel,
    pub parent_id: Option<UnitId>,
    pub aliases: Vec<String>,
    pub active: bool,
}

/// A checked unit, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUnit {
    pub name: String,
    pub kind: UnitKind,
    pub level: UnitLevel,
    pub parent_id: Option<UnitId>,
    pub aliases: Vec<String>,
}

/// A stored group of units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitGroup {
    pub id: GroupId,
    pub name: String,
    pub aliases: Vec<String>,
    pub members: Vec<UnitId>,
    pub note: String,
}

/// A stored person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: PersonId,
    #[serde(flatten)]
    pub fields: NewPerson,
    pub active: bool,
}

/// A checked person, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPerson {
    pub name: String,
    /// The sign-in name; unique.
    pub username: String,
    pub unit_id: Option<UnitId>,
    pub roles: Vec<Role>,
    /// Job title, e.g. 副旗长, 局长, 科员.
    pub title: String,
    pub phone: String,
    pub email: String,
    /// For leaders: the domains in their charge (e.g. 营商环境, 项目建设).
    pub domains: Vec<String>,
    /// For leaders: the units in their charge.
    pub charge_units: Vec<UnitId>,
}

fn clean_name(field: &str, label: &str, s: &str, max: usize) -> Result<String, Error> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Error::invalid(field, format!("{label}不能为空")));
    }
    if s.chars().count() > max {
        return Err(Error::invalid(field, format!("{label}过长（最多 {max} 字）")));
    }
    Ok(s.to_string())
}

fn clean_aliases(aliases: Vec<String>, name: &str) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::new();
    for a in aliases {
        let a = clean_name("aliases", "别名", &a, 100)?;
        if a != name && !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}

/// The unchecked shape of a unit from the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitInput {
    pub name: String,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub parent_id: Option<UnitId>,
    pub aliases: Vec<String>,
}

impl UnitInput {
    pub fn parse(self) -> Result<NewUnit, Error> {
        let name = clean_name("name", "单位名称", &self.name, 100)?;
        let kind = self.kind.as_deref().map(str::parse).transpose()?.unwrap_or(UnitKind::Department);
        let level = match self.level.as_deref() {
            Some(l) => l.parse()?,
            None => kind.default_level(),
        };
        let aliases = clean_aliases(self.aliases, &name)?;
        Ok(NewUnit { name, kind, level, parent_id: self.parent_id, aliases })
    }
}

impl UnitKind {
    /// The usual tier of a unit of this kind.
    pub fn default_level(self) -> UnitLevel {
        match self {
            UnitKind::Township | UnitKind::Street => UnitLevel::Township,
            _ => UnitLevel::County,
        }
    }
}

/// The unchecked shape of a person from the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonInput {
    pub name: String,
    pub username: String,
    pub unit_id: Option<UnitId>,
    pub roles: Vec<String>,
    pub title: String,
    pub phone: String,
    pub email: String,
    pub domains: Vec<String>,
    pub charge_units: Vec<UnitId>,
}

impl NewPerson {
    /// A person with a name, a user name, a unit and roles, and nothing else filled in.
    pub fn new(name: &str, username: &str, unit_id: Option<UnitId>, roles: Vec<Role>) -> Self {
        NewPerson {
            name: name.into(),
            username: username.into(),
            unit_id,
            roles,
            title: String::new(),
            phone: String::new(),
            email: String::new(),
            domains: Vec::new(),
            charge_units: Vec::new(),
        }
    }
}

impl PersonInput {
    pub fn parse(self) -> Result<NewPerson, Error> {
        let name = clean_name("name", "姓名", &self.name, 50)?;
        let username = clean_name("username", "用户名", &self.username, 50)?;
        if !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
            return Err(Error::invalid("username", "用户名只能包含字母、数字和 . _ -"));
        }
        let mut roles = Vec::new();
        for r in &self.roles {
            let r: Role = r.parse()?;
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
        if roles.is_empty() {
            roles.push(Role::Officer);
        }
        let email = self.email.trim().to_string();
        let email_ok = email.is_empty() || (email.contains('@') && email.len() <= 200);
        if !email_ok {
            return Err(Error::invalid("email", format!("邮箱“{email}”格式不对")));
        }
        let phone = self.phone.trim().to_string();
        if !phone.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)) || phone.len() > 30 {
            return Err(Error::invalid("phone", format!("电话“{phone}”格式不对")));
        }
        Ok(NewPerson {
            name,
            username,
            unit_id: self.unit_id,
            roles,
            title: self.title.trim().to_string(),
            phone,
            email,
            domains: self.domains.into_iter().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect(),
            charge_units: self.charge_units,
        })
    }
}

/// A unit as the directory file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryUnit {
    pub name: String,
    pub kind: UnitKind,
    #[serde(default)]
    pub level: Option<UnitLevel>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// A group as the directory file writes it: explicit members, and every unit of some kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryGroup {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub kinds: Vec<UnitKind>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// A checked unit directory file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitDirectory {
    #[serde(default)]
    pub title: String,
    #[serde(default, rename = "unit")]
    pub units: Vec<DirectoryUnit>,
    #[serde(default, rename = "group")]
    pub groups: Vec<DirectoryGroup>,
}

/// What a name in the directory points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryEntry {
    Unit(usize),
    Group(usize),
}

impl UnitDirectory {
    /// Parses and checks a directory file. Units are returned parents first.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        let mut dir: UnitDirectory =
            toml::from_str(text).map_err(|e| Error::invalid("file", format!("单位名录格式错误：{}", e.message())))?;
        for u in &mut dir.units {
            u.name = clean_name("name", "单位名称", &u.name, 100)?;
            u.aliases = clean_aliases(std::mem::take(&mut u.aliases), &u.name)?;
        }
        for g in &mut dir.groups {
            g.name = clean_name("name", "单位组名称", &g.name, 100)?;
            g.aliases = clean_aliases(std::mem::take(&mut g.aliases), &g.name)?;
        }
        dir.index()?;
        dir.sort_parents_first()?;
        let index = dir.index()?;
        for u in &dir.units {
            if let Some(p) = &u.parent
                && !matches!(index.get(p.as_str()), Some(DirectoryEntry::Unit(_)))
            {
                return Err(Error::invalid("parent", format!("单位“{}”的上级“{p}”不在名录中", u.name)));
            }
        }
        for g in &dir.groups {
            for m in &g.members {
                if !matches!(index.get(m.as_str()), Some(DirectoryEntry::Unit(_))) {
                    return Err(Error::invalid("members", format!("单位组“{}”的成员“{m}”不在名录中", g.name)));
                }
            }
        }
        Ok(dir)
    }

    /// Every name and alias, and what it points to. Fails on a name used twice.
    pub fn index(&self) -> Result<HashMap<&str, DirectoryEntry>, Error> {
        let mut map = HashMap::new();
        let names = self
            .units
            .iter()
            .enumerate()
            .flat_map(|(i, u)| std::iter::once(&u.name).chain(&u.aliases).map(move |n| (n, DirectoryEntry::Unit(i))))
            .chain(self.groups.iter().enumerate().flat_map(|(i, g)| {
                std::iter::once(&g.name).chain(&g.aliases).map(move |n| (n, DirectoryEntry::Group(i)))
            }));
        for (name, entry) in names {
            if let Some(prev) = map.insert(name.as_str(), entry)
                && prev != entry
            {
                return Err(Error::invalid("name", format!("名称“{name}”在名录中指向多个单位或单位组")));
            }
        }
        Ok(map)
    }

    fn sort_parents_first(&mut self) -> Result<(), Error> {
        let mut placed: Vec<DirectoryUnit> = Vec::with_capacity(self.units.len());
        let mut pending = std::mem::take(&mut self.units);
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for u in pending {
                let ready = match &u.parent {
                    None => true,
                    Some(p) => placed.iter().any(|q| &q.name == p || q.aliases.contains(p)),
                };
                if ready { placed.push(u) } else { rest.push(u) }
            }
            if rest.len() == before {
                let names: Vec<&str> = rest.iter().map(|u| u.name.as_str()).collect();
                self.units = placed;
                return Err(Error::invalid(
                    "parent",
                    format!("以下单位的上级不在名录中或存在循环：{}", names.join("、")),
                ));
            }
            pending = rest;
        }
        self.units = placed;
        Ok(())
    }

    /// The level of a unit: as written, else from its kind.
    pub fn level_of(u: &DirectoryUnit) -> UnitLevel {
        u.level.unwrap_or_else(|| u.kind.default_level())
    }

    /// The member units of a group, by name: explicit members, then every unit of its kinds.
    pub fn members_of<'a>(&'a self, g: &'a DirectoryGroup) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        let explicit = g.members.iter().map(|m| {
            self.units.iter().find(|u| &u.name == m || u.aliases.contains(m)).map_or(m.as_str(), |u| u.name.as_str())
        });
        let by_kind = self.units.iter().filter(|u| g.kinds.contains(&u.kind)).map(|u| u.name.as_str());
        for n in explicit.chain(by_kind) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
        title = "样例"
        [[unit]]
        name = "旗住房和城乡建设局"
        kind = "部门"
        parent = "奈曼旗人民政府"
        aliases = ["旗住建局", "住建局"]
        [[unit]]
        name = "奈曼旗人民政府"
        kind = "government"
        aliases = ["旗政府"]
        [[unit]]
        name = "大沁他拉街道"
        kind = "street"
        parent = "旗政府"
        [[group]]
        name = "各苏木乡镇场、街道"
        kinds = ["township", "street"]
        [[group]]
        name = "旗直有关部门"
        members = ["住建局"]
        kinds = ["department"]
    "#;

    #[test]
    fn a_directory_sorts_parents_first_and_expands_groups() {
        let d = UnitDirectory::from_toml(SAMPLE).unwrap();
        assert_eq!(d.units[0].name, "奈曼旗人民政府");
        let street = d.units.iter().find(|u| u.name == "大沁他拉街道").unwrap();
        assert_eq!(UnitDirectory::level_of(street), UnitLevel::Township);
        assert_eq!(UnitDirectory::level_of(&d.units[0]), UnitLevel::County);
        assert_eq!(d.members_of(&d.groups[0]), vec!["大沁他拉街道"]);
        assert_eq!(d.members_of(&d.groups[1]), vec!["旗住房和城乡建设局"]);
        let idx = d.index().unwrap();
        assert!(matches!(idx.get("住建局"), Some(DirectoryEntry::Unit(_))));
    }

    #[test]
    fn a_directory_with_a_name_used_twice_or_a_missing_parent_is_rejected() {
        let dup = format!("{SAMPLE}\n[[unit]]\nname = \"住建局\"\nkind = \"department\"");
        assert!(UnitDirectory::from_toml(&dup).unwrap_err().to_string().contains("多个"));
        let orphan = "[[unit]]\nname = \"甲\"\nkind = \"department\"\nparent = \"乙\"";
        assert!(UnitDirectory::from_toml(orphan).unwrap_err().to_string().contains("上级"));
        let bad_member = "[[group]]\nname = \"组\"\nmembers = [\"丙\"]";
        assert!(UnitDirectory::from_toml(bad_member).unwrap_err().to_string().contains("成员"));
        let bad_kind = "[[unit]]\nname = \"甲\"\nkind = \"星际\"";
        assert!(UnitDirectory::from_toml(bad_kind).unwrap_err().to_string().contains("单位类型"));
    }

    #[test]
    fn people_are_checked() {
        let p = PersonInput {
            name: "张三".into(),
            username: "zhangsan".into(),
            roles: vec!["经办人".into(), "officer".into(), "督查室".into()],
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(p.roles, vec![Role::Officer, Role::Office]);
        let e = PersonInput { name: "李四".into(), username: "李四".into(), ..Default::default() }.parse().unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "username"));
        let e =
            PersonInput { name: "王五".into(), username: "w5".into(), email: "nope".into(), ..Default::default() }
                .parse()
                .unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "email"));
    }
}
