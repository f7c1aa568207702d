package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
)

// Window is a daily time window, in a time zone: from Start to End
// ("HH:MM"). A window whose End is not after its Start crosses midnight
// ("23:00"–"01:00"). Days, when given, are the weekdays ("mon" … "sun")
// on which the window starts.
type Window struct {
	Start    string   `yaml:"start" json:"start"`
	End      string   `yaml:"end" json:"end"`
	Timezone string   `yaml:"timezone" json:"timezone"`
	Days     []string `yaml:"days,omitempty" json:"days,omitempty"`
}

// PeakHours limits some tiers during a window: their files larger than
// MaxFileSize wait until it ends (3004).
type PeakHours struct {
	Window      `yaml:",inline"`
	Tiers       []string    `yaml:"tiers" json:"tiers"`
	MaxFileSize ferry.Bytes `yaml:"max_file_size" json:"max_file_size"`
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// Active reports whether now falls in the window, and when the window
// ends if it does. It considers the window that started today and the one
// that started yesterday (which may cross midnight into today), in the
// window's time zone, so daylight-saving changes are honoured.
func (w Window) Active(now time.Time) (bool, time.Time) {
	loc, err := loadZone(w.Timezone)
	if err != nil {
		return false, time.Time{}
	}
	sh, sm, _ := parseClock(w.Start)
	eh, em, _ := parseClock(w.End)
	local := now.In(loc)
	for back := 0; back <= 1; back++ {
		d := local.AddDate(0, 0, -back)
		if !w.onDay(d.Weekday()) {
			continue
		}
		start := time.Date(d.Year(), d.Month(), d.Day(), sh, sm, 0, 0, loc)
		end := time.Date(d.Year(), d.Month(), d.Day(), eh, em, 0, 0, loc)
		if !end.After(start) {
			end = end.AddDate(0, 0, 1)
		}
		if !now.Before(start) && now.Before(end) {
			return true, end
		}
	}
	return false, time.Time{}
}

func (w Window) onDay(d time.Weekday) bool {
	if len(w.Days) == 0 {
		return true
	}
	for _, name := range w.Days {
		if weekdays[strings.ToLower(name)] == d {
			return true
		}
	}
	return false
}

func (w Window) validate(path string) error {
	if _, _, err := parseClock(w.Start); err != nil {
		return pathErr(path+".start", "%v", err)
	}
	if _, _, err := parseClock(w.End); err != nil {
		return pathErr(path+".end", "%v", err)
	}
	if w.Start == w.End {
		return pathErr(path, "start and end are the same time")
	}
	if _, err := loadZone(w.Timezone); err != nil {
		return pathErr(path+".timezone", "unknown time zone %q", w.Timezone)
	}
	for i, d := range w.Days {
		if _, ok := weekdays[strings.ToLower(d)]; !ok {
			return pathErr(fmt.Sprintf("%s.days[%d]", path, i), "%q is not one of mon, tue, wed, thu, fri, sat, sun", d)
		}
	}
	return nil
}

func (p *Policy) validateSchedule() error {
	for i, w := range p.MaintenanceWindows {
		if err := w.validate(fmt.Sprintf("policy.maintenance_windows[%d]", i)); err != nil {
			return err
		}
	}
	for i, ph := range p.PeakHours {
		path := fmt.Sprintf("policy.peak_hours[%d]", i)
		if err := ph.validate(path); err != nil {
			return err
		}
		if ph.MaxFileSize <= 0 {
			return pathErr(path+".max_file_size", "must be more than 0")
		}
		for j, t := range ph.Tiers {
			if p.Tiers[ferry.Tier(t)] == nil {
				return pathErr(fmt.Sprintf("%s.tiers[%d]", path, j), "no tier %q", t)
			}
		}
	}
	return nil
}

// parseClock reads "HH:MM" (24-hour).
func parseClock(s string) (h, m int, err error) {
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || len(s) != 5 || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return h, m, nil
}

// loadZone loads a time zone by IANA name; "" is UTC.
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	return time.LoadLocation(name)
}
