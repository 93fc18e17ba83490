//! Closed vocabularies with two spellings: a stable English code (what the API and files write)
//! and the Chinese label the documents and users use. Both are accepted on input.

/// Declares an enum whose variants have an English code and a Chinese label, with `FromStr`
/// accepting either spelling, `Display` giving the Chinese label, and serde using the code.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $code:literal / $label:literal $(| $alias:literal)*,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable English code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                match s {
                    $($code | $label $(| $alias)* => Ok($name::$variant),)+
                    _ => Err($crate::Error::invalid(
                        $what,
                        format!(
                            "“{}”不是有效的{}，可选：{}",
                            s,
                            $crate::vocab::field_label($what),
                            [$($label,)+].join("、")
                        ),
                    )),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        /// Sent and taken as its code: a string, one of the codes.
        #[cfg(feature = "openapi")]
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code,)+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl ::utoipa::ToSchema for $name {}

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(|e: $crate::Error| ::serde::de::Error::custom(e.to_string()))
            }
        }
    };
}

/// The Chinese name of a field, for error messages.
pub fn field_label(field: &str) -> &'static str {
    match field {
        "priority" => "优先级",
        "complexity" => "复杂程度",
        "classification" => "密级",
        "source" => "任务来源",
        "status" => "状态",
        "light" => "预警灯",
        "event" => "事件",
        "kind" => "单位类型",
        "level" => "单位层级",
        "role" => "角色",
        "channel" => "诉求渠道",
        "demand_kind" => "诉求类别",
        "satisfaction" => "满意度",
        _ => "取值",
    }
}
