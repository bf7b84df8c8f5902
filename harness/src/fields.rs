//! The run record's format, written once: `record_type!` declares a struct and, from the
//! same list of fields, both its JSON form (for the lesson binary that writes it) and the
//! reader that turns that form back into the struct (for the `workbook` command). No serde:
//! lesson binaries stay free of it.

use crate::answer::Value;

/// A type that is one field of a record.
pub trait Field: Sized {
    fn to_field(&self) -> Value;
    /// `value` is `None` when the record has no such field.
    fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String>;
}

/// A struct whose fields are a record's (or part of one).
pub trait Fields: Sized {
    /// The fields, in order, as (name, value).
    fn to_fields(&self) -> Vec<(String, Value)>;
    /// Reads the fields back from an object's fields.
    fn from_fields(fields: &[(String, Value)]) -> Result<Self, String>;
}

/// The field `name` of an object's fields.
pub fn find<'a>(fields: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Declares a struct and its `Fields`. A field marked `[flatten]` is a struct whose own
/// fields sit beside the others, not in an object of their own.
macro_rules! record_type {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[doc = $doc:literal])* $([$flatten:ident])? pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl $crate::fields::Fields for $name {
            fn to_fields(&self) -> Vec<(String, $crate::answer::Value)> {
                let mut fields = Vec::with_capacity(16);
                $( $crate::fields::record_type!(@write fields, self.$field, $field $(, $flatten)?); )*
                fields
            }

            fn from_fields(fields: &[(String, $crate::answer::Value)]) -> Result<Self, String> {
                Ok($name {
                    $( $field: $crate::fields::record_type!(@read fields, $ty, $field $(, $flatten)?), )*
                })
            }
        }

        /// As a field of another record: an object of its own.
        impl $crate::fields::Field for $name {
            fn to_field(&self) -> $crate::answer::Value {
                $crate::answer::Value::Map($crate::fields::Fields::to_fields(self))
            }

            fn from_field(value: Option<&$crate::answer::Value>, name: &str) -> Result<Self, String> {
                match value {
                    Some($crate::answer::Value::Map(fields)) => {
                        <$name as $crate::fields::Fields>::from_fields(fields)
                    }
                    _ => Err(format!("no object field '{name}'")),
                }
            }
        }
    };
    (@write $fields:ident, $value:expr, $field:ident) => {
        $fields.push((
            stringify!($field).to_string(),
            $crate::fields::Field::to_field(&$value),
        ))
    };
    (@write $fields:ident, $value:expr, $field:ident, flatten) => {
        $fields.extend($crate::fields::Fields::to_fields(&$value))
    };
    (@read $fields:ident, $ty:ty, $field:ident) => {
        <$ty as $crate::fields::Field>::from_field(
            $crate::fields::find($fields, stringify!($field)),
            stringify!($field),
        )?
    };
    (@read $fields:ident, $ty:ty, $field:ident, flatten) => {
        <$ty as $crate::fields::Fields>::from_fields($fields)?
    };
}

fn missing(kind: &str, name: &str) -> String {
    format!("no {kind} field '{name}'")
}

impl Field for String {
    fn to_field(&self) -> Value {
        Value::Text(self.clone())
    }

    fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String> {
        match value {
            Some(Value::Text(text)) => Ok(text.clone()),
            _ => Err(missing("text", name)),
        }
    }
}

impl Field for u64 {
    fn to_field(&self) -> Value {
        Value::UInt(*self)
    }

    fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String> {
        match value {
            Some(Value::UInt(n)) => Ok(*n),
            _ => Err(missing("whole-number", name)),
        }
    }
}

macro_rules! whole_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            fn to_field(&self) -> Value {
                Value::UInt(*self as u64)
            }

            fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String> {
                let whole = u64::from_field(value, name)?;
                <$t>::try_from(whole).map_err(|_| format!("field '{name}' is too large"))
            }
        }
    )*};
}

whole_field!(usize, u32);

impl Field for f64 {
    fn to_field(&self) -> Value {
        Value::Float(*self)
    }

    fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String> {
        match value {
            Some(Value::Float(x)) => Ok(*x),
            Some(Value::UInt(n)) => Ok(*n as f64),
            Some(Value::Int(n)) => Ok(*n as f64),
            _ => Err(missing("number", name)),
        }
    }
}

impl Field for bool {
    fn to_field(&self) -> Value {
        Value::Bool(*self)
    }

    fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String> {
        match value {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(missing("true-or-false", name)),
        }
    }
}

/// Absent, or `null`: a field that does not apply (or that older records lack).
impl<T: Field> Field for Option<T> {
    fn to_field(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_field)
    }

    fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(_) => T::from_field(value, name).map(Some),
        }
    }
}

/// A list of one type: `seconds`, `warnings`.
impl<T: Field> Field for Vec<T> {
    fn to_field(&self) -> Value {
        Value::List(self.iter().map(T::to_field).collect())
    }

    fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String> {
        match value {
            Some(Value::List(items)) => items
                .iter()
                .map(|item| T::from_field(Some(item), name))
                .collect(),
            _ => Err(missing("list", name)),
        }
    }
}

/// Named values as the lesson gave them: `params`, `answer`.
impl Field for Vec<(String, Value)> {
    fn to_field(&self) -> Value {
        Value::Map(self.clone())
    }

    fn from_field(value: Option<&Value>, name: &str) -> Result<Self, String> {
        match value {
            Some(Value::Map(fields)) => Ok(fields.clone()),
            _ => Err(missing("object", name)),
        }
    }
}

pub(crate) use record_type;
