//! Per device and alert: when the alert arrived and when a person acknowledged it.

use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables_alerts::{alert_deliveries, alerts};
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = alert_deliveries)]
pub struct DeliveryRow {
    pub alert_id: String,
    pub device_id: String,
    pub delivered_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
}

pub fn deliveries(conn: &mut DbConn, alert_id: &str) -> Result<Vec<DeliveryRow>, DbError> {
    Ok(alert_deliveries::table
        .filter(alert_deliveries::alert_id.eq(alert_id))
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// Records that a device holds an alert, or acknowledged it (keeping the first time of each).
/// True when this records the alert as delivered to the device for the first time.
pub fn record_delivery(
    conn: &mut DbConn,
    alert_id: &str,
    device_id: &str,
    delivered_at: i64,
    acknowledged_at: Option<i64>,
) -> Result<bool, DbError> {
    write_tx(conn, |conn| {
        let existing: Option<DeliveryRow> = alert_deliveries::table
            .filter(alert_deliveries::alert_id.eq(alert_id))
            .filter(alert_deliveries::device_id.eq(device_id))
            .select(DeliveryRow::as_select())
            .first(conn)
            .optional()?;
        match existing {
            None => {
                diesel::insert_into(alert_deliveries::table)
                    .values((
                        alert_deliveries::alert_id.eq(alert_id),
                        alert_deliveries::device_id.eq(device_id),
                        alert_deliveries::delivered_at.eq(Some(delivered_at)),
                        alert_deliveries::acknowledged_at.eq(acknowledged_at),
                    ))
                    .execute(conn)?;
                Ok(true)
            }
            Some(row) => {
                let first = row.delivered_at.is_none();
                let delivered = row.delivered_at.or(Some(delivered_at));
                let acked = row.acknowledged_at.or(acknowledged_at);
                if delivered != row.delivered_at || acked != row.acknowledged_at {
                    diesel::update(
                        alert_deliveries::table
                            .filter(alert_deliveries::alert_id.eq(alert_id))
                            .filter(alert_deliveries::device_id.eq(device_id)),
                    )
                    .set((
                        alert_deliveries::delivered_at.eq(delivered),
                        alert_deliveries::acknowledged_at.eq(acked),
                    ))
                    .execute(conn)?;
                }
                Ok(first)
            }
        }
    })
}

/// When an alert was raised, if it exists.
pub fn raised_at(conn: &mut DbConn, alert_id: &str) -> Result<Option<i64>, DbError> {
    Ok(alerts::table
        .filter(alerts::id.eq(alert_id))
        .select(alerts::raised_at)
        .first(conn)
        .optional()?)
}
