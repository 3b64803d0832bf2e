/** Calendar days are Vietnamese days (DESIGN §4: a "day" is a calendar day in Asia/Ho_Chi_Minh). */
export const CALENDAR_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: CALENDAR_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The YYYY-MM-DD calendar day in Viet Nam at the given instant. */
export function calendarDay(instant: Date): string {
  return dayFormat.format(instant);
}
