//! People: the SQL of `PeopleStore`.

/// Implements [`PeopleStore`](duban_store::PeopleStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_people {
    ($store:ty) => {
        fn person_from_row(r: &DbRow) -> Result<Person> {
            let g = db_err("read person");
            let roles: Vec<String> = json("roles", &r.try_get::<String, _>("roles").map_err(&g)?)?;
            Ok(Person {
                id: PersonId(r.try_get("id").map_err(&g)?),
                fields: NewPerson {
                    name: r.try_get("name").map_err(&g)?,
                    username: r.try_get("username").map_err(&g)?,
                    unit_id: r.try_get::<Option<i64>, _>("unit_id").map_err(&g)?.map(UnitId),
                    roles: roles.iter().map(|s| code("role", s)).collect::<Result<_>>()?,
                    title: r.try_get("title").map_err(&g)?,
                    phone: r.try_get("phone").map_err(&g)?,
                    email: r.try_get("email").map_err(&g)?,
                    domains: json("domains", &r.try_get::<String, _>("domains").map_err(&g)?)?,
                    charge_units: json("charge_units", &r.try_get::<String, _>("charge_units").map_err(&g)?)?,
                },
                active: r.try_get("active").map_err(&g)?,
            })
        }

        #[$crate::deps::async_trait::async_trait]
        impl PeopleStore for $store {
            async fn create_person(&self, p: &NewPerson, at: Timestamp) -> Result<Person> {
                self.save_person(None, p, Some(at)).await
            }

            async fn update_person(&self, id: PersonId, p: &NewPerson) -> Result<Person> {
                self.save_person(Some(id), p, None).await
            }

            async fn get_person(&self, id: PersonId) -> Result<Person> {
                let missing = || Error::not_found(format!("人员 {id}"));
                let row = row_by_id(&self.pool, "SELECT * FROM people WHERE id = $1", id.0, "get person", missing).await?;
                person_from_row(&row)
            }

            async fn list_people(&self) -> Result<Vec<Person>> {
                all_rows(&self.pool, "SELECT * FROM people ORDER BY id", "list people", person_from_row).await
            }

            async fn deactivate_person(&self, id: PersonId) -> Result<()> {
                let done = sqlx::query("UPDATE people SET active = $1 WHERE id = $2")
                    .bind(false)
                    .bind(id.0)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("deactivate person"))?;
                if done.rows_affected() == 0 {
                    return Err(Error::not_found(format!("人员 {id}")));
                }
                Ok(())
            }
        }

        impl $store {
            /// Creates a person (`id` none, made `made_at`) or replaces one's fields.
            async fn save_person(&self, id: Option<PersonId>, p: &NewPerson, made_at: Option<Timestamp>) -> Result<Person> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE username = $1")
                    .bind(&p.username)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err("find username"))?;
                if taken.is_some_and(|t| Some(PersonId(t)) != id) {
                    return Err(Error::Conflict(format!("用户名“{}”已存在", p.username)));
                }
                for u in p.unit_id.iter().chain(&p.charge_units) {
                    if unit_in(&mut tx, *u).await?.is_none() {
                        return Err(Error::invalid("unit_id", format!("单位 {u} 不存在")));
                    }
                }
                let roles: Vec<&str> = p.roles.iter().map(|r| r.code()).collect();
                let q = match id {
                    None => sqlx::query_scalar(
                        "INSERT INTO people (name, username, unit_id, roles, title, phone, email, domains, charge_units, active, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    ),
                    Some(_) => sqlx::query_scalar(
                        "UPDATE people SET name = $1, username = $2, unit_id = $3, roles = $4, title = $5, phone = $6, \
                         email = $7, domains = $8, charge_units = $9, active = $10 WHERE id = $11 RETURNING id",
                    ),
                };
                let q = q
                    .bind(&p.name)
                    .bind(&p.username)
                    .bind(p.unit_id.map(|u| u.0))
                    .bind(to_json(&roles))
                    .bind(&p.title)
                    .bind(&p.phone)
                    .bind(&p.email)
                    .bind(to_json(&p.domains))
                    .bind(to_json(&p.charge_units))
                    .bind(true);
                let q = match id {
                    None => q.bind(made_at.map(ms)),
                    Some(id) => q.bind(id.0),
                };
                let new_id: Option<i64> = q.fetch_optional(&mut *tx).await.map_err(db_err("save person"))?;
                let new_id = new_id.ok_or_else(|| Error::not_found(format!("人员 {}", id.map(|i| i.0).unwrap_or(0))))?;
                tx.commit().await.map_err(db_err("commit"))?;
                self.get_person(PersonId(new_id)).await
            }
        }
    };
}
