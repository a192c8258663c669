//! Views that templates read thousands of times per page (one per execution, one per
//! text block) as minijinja objects whose fields are found by a `match` on the name.
//! minijinja shows a serialised struct as a list of (name, value) pairs that it scans
//! in order for every `n.field`, comparing names with `memcmp`; on a session page that
//! scan was the largest single cost of rendering after the interpreter itself.
//!
//! [`fields_object!`] declares, next to a view struct, an object type with one
//! [`Value`](minijinja::Value) per field, built once from the view (each field through
//! serde, as minijinja would, or through a given function for nested views). The view
//! stays the typed context; the object is only how the template reads it. A test of
//! each view checks that the object and the serialised struct show the same fields
//! with the same values.

/// A field of a view as a template value: strings, numbers, booleans and options of
/// them directly (what serde would give, without its machinery), other types through
/// serde (`serde_field!`).
pub trait Field {
    fn value(&self) -> minijinja::Value;
}

impl Field for String {
    fn value(&self) -> minijinja::Value {
        minijinja::Value::from(self.as_str())
    }
}

impl Field for &str {
    fn value(&self) -> minijinja::Value {
        minijinja::Value::from(*self)
    }
}

impl Field for std::borrow::Cow<'_, str> {
    fn value(&self) -> minijinja::Value {
        minijinja::Value::from(self.as_ref())
    }
}

impl Field for usize {
    fn value(&self) -> minijinja::Value {
        minijinja::Value::from(*self)
    }
}

impl Field for bool {
    fn value(&self) -> minijinja::Value {
        minijinja::Value::from(*self)
    }
}

impl<T: Field> Field for Option<T> {
    fn value(&self) -> minijinja::Value {
        match self {
            Some(v) => v.value(),
            None => minijinja::Value::from(()),
        }
    }
}

/// `serde_field!(T, ...)`: these types are template values through serde.
#[macro_export]
macro_rules! serde_field {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::render::object::Field for $t {
            fn value(&self) -> minijinja::Value {
                minijinja::Value::from(minijinja::value::Serde(self))
            }
        })*
    };
}

serde_field!(&[String]);

/// `fields_object!(Obj for View { a, b, c } nested { d: conv })` declares `Obj`, an
/// object with the fields `a`, `b`, `c` of `View` (each through [`Field`]) and `d`
/// (converted by `conv(&view.d) -> Value`), and `Obj::value(&View) -> Value`.
#[macro_export]
macro_rules! fields_object {
    ($obj:ident for $view:ty { $($f:ident),* $(,)? } nested { $($n:ident : $conv:expr),* $(,)? }) => {
        /// The template object of the view of the same fields (see `render::object`).
        #[derive(Debug)]
        pub struct $obj {
            $($f: minijinja::Value,)*
            $($n: minijinja::Value,)*
        }

        impl $obj {
            /// The view as a template value.
            pub fn value(v: &$view) -> minijinja::Value {
                minijinja::Value::from_object($obj {
                    $($f: $crate::render::object::Field::value(&v.$f),)*
                    $($n: ($conv)(&v.$n),)*
                })
            }
        }

        impl minijinja::value::Object for $obj {
            fn get_value(
                self: &std::sync::Arc<Self>,
                key: &minijinja::Value,
            ) -> Option<minijinja::Value> {
                self.get_value_by_str(key.as_str()?)
            }

            fn get_value_by_str(self: &std::sync::Arc<Self>, key: &str) -> Option<minijinja::Value> {
                match key {
                    $(stringify!($f) => Some(self.$f.clone()),)*
                    $(stringify!($n) => Some(self.$n.clone()),)*
                    _ => None,
                }
            }

            fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
                minijinja::value::Enumerator::Str(&[$(stringify!($f),)* $(stringify!($n),)*])
            }
        }
    };
}

/// True when `object` shows exactly what the serialised `view` shows: the same field
/// names with the same values (compared as JSON).
#[cfg(test)]
pub fn same_as_serialised(object: &minijinja::Value, view: &impl serde::Serialize) -> bool {
    let a = serde_json::to_value(object).expect("object as JSON");
    let b = serde_json::to_value(minijinja::Value::from(minijinja::value::Serde(view)))
        .expect("view as JSON");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    a == b && keys(&a) == keys(&b)
}
