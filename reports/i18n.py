"""Every phrase a report shows, in Chinese and English. Rendering code looks words up here.

Event templates take ``{actor}`` (team name), ``{subject}``, ``{subject_name}`` (team name of
the subject, when it is a team), ``{value}`` and ``{value0}`` (rounded) from the event row.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "report_title": {"zh": "应急预案桌面推演报告", "en": "Tabletop drill report"},
    "scenario": {"zh": "演练情景", "en": "Scenario"},
    "plan": {"zh": "应急预案", "en": "Plan"},
    "seed": {"zh": "随机种子", "en": "Seed"},
    "site": {"zh": "地点", "en": "Site"},
    "weather": {"zh": "天气", "en": "Weather"},
    "weather_fmt": {"zh": "气温 {t:g}℃，相对湿度 {h:g}%", "en": "{t:g} °C, relative humidity {h:g}%"},
    "duration": {"zh": "推演时长", "en": "Simulated duration"},
    "minutes": {"zh": "分钟", "en": "min"},
    "people": {"zh": "人", "en": "people"},
    "summary": {"zh": "一、推演概况", "en": "1. Summary"},
    "key_metrics": {"zh": "二、关键指标", "en": "2. Key figures"},
    "targets": {"zh": "三、预案时限目标与实际用时", "en": "3. The plan's targets against measured times"},
    "teams": {"zh": "四、各工作组到场情况", "en": "4. Team arrivals"},
    "timeline": {"zh": "五、推演时间线", "en": "5. Timeline"},
    "charts": {"zh": "六、态势图", "en": "6. Charts"},
    "notes": {"zh": "说明", "en": "Notes"},
    "metric": {"zh": "指标", "en": "Figure"},
    "value": {"zh": "数值", "en": "Value"},
    "task": {"zh": "任务", "en": "Task"},
    "target": {"zh": "目标（分钟）", "en": "Target (min)"},
    "measured": {"zh": "实际（分钟）", "en": "Measured (min)"},
    "margin": {"zh": "差值（分钟）", "en": "Margin (min)"},
    "status": {"zh": "结果", "en": "Result"},
    "met": {"zh": "达标", "en": "met"},
    "missed": {"zh": "超时", "en": "late"},
    "not_done": {"zh": "未完成", "en": "not done"},
    "no_target": {"zh": "无目标", "en": "no target"},
    "team": {"zh": "工作组", "en": "Team"},
    "size": {"zh": "人数", "en": "Staff"},
    "familiarity": {"zh": "预案熟悉度", "en": "Plan familiarity"},
    "dispatched": {"zh": "接到指令（分钟）", "en": "Ordered out (min)"},
    "on_site": {"zh": "到场（分钟）", "en": "On site (min)"},
    "time": {"zh": "时间", "en": "Time"},
    "actor": {"zh": "主体", "en": "Who"},
    "event": {"zh": "事件", "en": "Event"},
    "never": {"zh": "未发生", "en": "never"},
    "none": {"zh": "无", "en": "none"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "t_fmt": {"zh": "T+{m}", "en": "T+{m}"},
    "margin_rule": {
        "zh": "差值 = 目标 − 实际；正数表示提前完成，负数表示超出预案时限。时间均为自首次发现（T0）起的模拟分钟数。",
        "en": "Margin = target - measured; positive is ahead of the plan's limit, negative is late. "
              "Times are simulated minutes from the first sighting (T0).",
    },
    "generated": {
        "zh": "本报告由推演结果自动生成，所有数字均来自本次推演的事件日志与指标文件。",
        "en": "Generated from this run: every figure comes from its event log and metrics file.",
    },
    "chart_crowd": {"zh": "现场人数与平均激动程度", "en": "Crowd on site and mean agitation"},
    "chart_rumour": {"zh": "网络谣言与官方信息覆盖面", "en": "Rumour reach and statement reach online"},
    "crowd_present": {"zh": "上访群众", "en": "Petitioners present"},
    "onlookers": {"zh": "围观群众", "en": "Onlookers"},
    "mean_agitation": {"zh": "平均激动程度", "en": "Mean agitation"},
    "rumor_reach": {"zh": "谣言覆盖率", "en": "Rumour reach"},
    "statement_reach": {"zh": "官方信息覆盖率", "en": "Statement reach"},
    "minutes_axis": {"zh": "自T0起分钟数", "en": "Minutes from T0"},
}

METRIC_LABELS: dict[str, dict[str, str]] = {
    "level": {"zh": "最高响应级别", "en": "Highest level declared"},
    "peak_crowd": {"zh": "上访群众峰值（人）", "en": "Peak petitioners present"},
    "peak_onlookers": {"zh": "围观群众峰值（人）", "en": "Peak onlookers"},
    "peak_mean_agitation": {"zh": "平均激动程度峰值", "en": "Peak mean agitation"},
    "max_crowd_state": {"zh": "最严重现场态势", "en": "Most severe crowd state"},
    "first_report_min": {"zh": "首次报告（分钟）", "en": "First report (min)"},
    "plan_activated_min": {"zh": "预案启动（分钟）", "en": "Plan activated (min)"},
    "first_team_on_site_min": {"zh": "首个工作组到场（分钟）", "en": "First team on site (min)"},
    "dialogue_start_min": {"zh": "开始对话（分钟）", "en": "Dialogue started (min)"},
    "representatives_min": {"zh": "推选代表（分钟）", "en": "Representatives chosen (min)"},
    "agreement_min": {"zh": "达成承诺（分钟）", "en": "Commitment reached (min)"},
    "cleared_min": {"zh": "现场疏散（分钟）", "en": "Site cleared (min)"},
    "scuffles": {"zh": "推搡冲突（次）", "en": "Scuffle episodes"},
    "injuries": {"zh": "冲突受伤（人）", "en": "Injuries in scuffles"},
    "health_incidents": {"zh": "伤病事件（人次）", "en": "Health incidents"},
    "medical_response_mean_min": {"zh": "医疗平均响应（分钟）", "en": "Mean medical response (min)"},
    "medical_response_max_min": {"zh": "医疗最长响应（分钟）", "en": "Longest medical response (min)"},
    "first_statement_min": {"zh": "首次发布权威信息（分钟）", "en": "First official statement (min)"},
    "rumor_peak_reach": {"zh": "谣言覆盖率峰值", "en": "Peak rumour reach"},
    "rumor_reach_at_statement": {"zh": "发布时谣言覆盖率", "en": "Rumour reach at the statement"},
    "equipment_failures": {"zh": "装备故障（次）", "en": "Equipment failures"},
    "messages_sent": {"zh": "往来信息（条）", "en": "Messages sent"},
    "messages_late": {"zh": "迟到信息（条）", "en": "Late messages"},
    "messages_lost": {"zh": "丢失信息（条次）", "en": "Lost message attempts"},
    "slips": {"zh": "执行失误（次）", "en": "Slips by staff"},
    "outcome": {"zh": "处置结果", "en": "Outcome"},
}

VALUE_WORDS: dict[str, dict[str, str]] = {
    "calm": {"zh": "平稳", "en": "calm"},
    "vocal": {"zh": "吵闹", "en": "vocal"},
    "blocking": {"zh": "围堵", "en": "blocking"},
    "scuffle": {"zh": "推搡冲突", "en": "scuffle"},
    "resolved": {"zh": "妥善处置（达成承诺并疏散）", "en": "resolved (commitment made, site cleared)"},
    "dispersed_unresolved": {"zh": "人员散去但诉求未解决", "en": "dispersed, grievance unresolved"},
    "ongoing_at_end": {"zh": "推演结束时仍在处置", "en": "still ongoing when the drill ended"},
    "escalated": {"zh": "事态升级未得到控制", "en": "escalated, not brought under control"},
}

TARGET_LABELS: dict[str, dict[str, str]] = {
    "first_report_min": {"zh": "首次报告指挥部", "en": "First report to command"},
    "verification_min": {"zh": "核实情况", "en": "Report verified"},
    "plan_activated_min": {"zh": "启动预案", "en": "Plan activated"},
    "team_on_site_min": {"zh": "工作组到场", "en": "Team on site"},
    "cordon_min": {"zh": "划定警戒区域", "en": "Cordon set"},
    "dialogue_start_min": {"zh": "开始接访对话", "en": "Dialogue started"},
    "representatives_min": {"zh": "推选代表", "en": "Representatives chosen"},
    "agreement_min": {"zh": "达成承诺", "en": "Commitment reached"},
    "cleared_min": {"zh": "现场疏散", "en": "Site cleared"},
    "first_statement_min": {"zh": "首次发布权威信息", "en": "First official statement"},
    "medical_response_min": {"zh": "医疗救护响应（最长）", "en": "Medical response (longest)"},
    "report": {"zh": "向上级报告：{name}", "en": "Upward report: {name}"},
}

EVENTS: dict[str, dict[str, str]] = {
    "prepositioned": {"zh": "{actor}预先在现场", "en": "{actor} on site from the start"},
    "first_report": {"zh": "{actor}首次报告，估计约{value0}人", "en": "{actor} makes the first report: about {value0} people"},
    "verified": {"zh": "指挥部核实人数约{value0}人", "en": "Command verifies the headcount: about {value0}"},
    "below_threshold": {"zh": "约{value0}人，未达预案最低级别，继续监测", "en": "About {value0} people: below the plan's lowest level; monitoring"},
    "level_declared": {"zh": "宣布启动{subject}级响应（约{value0}人）", "en": "Level {subject} declared (about {value0} people)"},
    "level_raised": {"zh": "响应级别提升至{subject}级（约{value0}人）", "en": "Level raised to {subject} (about {value0} people)"},
    "level_lowered": {"zh": "人数降至约{value0}人，态势相当于{subject}级", "en": "About {value0} people: situation back at level {subject}"},
    "plan_activated": {"zh": "预案启动（{subject}级）", "en": "Plan activated (level {subject})"},
    "dispatch_order": {"zh": "{actor}命令{subject_name}赶赴现场", "en": "{actor} orders {subject_name} to the site"},
    "dispatched": {"zh": "{actor}接到出动指令", "en": "{actor} receives the order to go"},
    "team_on_site": {"zh": "{actor}到达现场", "en": "{actor} arrives on site"},
    "cordon_set": {"zh": "{actor}完成警戒区域划定和交通管制", "en": "{actor} has the cordon and traffic control in place"},
    "dialogue_started": {"zh": "{actor}开始宣讲政策、疏导情绪", "en": "{actor} starts explaining the policy"},
    "representatives_chosen": {"zh": "群众推选{value0}名代表", "en": "The crowd names {value0} representatives"},
    "talks_waiting": {"zh": "{actor}等待指挥部答复（{subject}），协商暂停", "en": "{actor} waits for command's answer ({subject}); talks pause"},
    "talks_resumed": {"zh": "收到答复，协商恢复（等待{value0}分钟）", "en": "Answer received; talks resume after {value0} min"},
    "agreement": {"zh": "与群众代表达成承诺", "en": "Commitment made to the representatives"},
    "cleared": {"zh": "现场疏散完毕（剩余{value0}人）", "en": "Site cleared ({value0} petitioners remain)"},
    "inject": {"zh": "导调注入：{detail}", "en": "Inject: {detail}"},
    "gate_blocked": {"zh": "{value0}名群众围堵大门", "en": "{value0} people block the gate"},
    "agitation": {"zh": "{value0}名群众情绪被激化", "en": "{value0} people provoked"},
    "arrivals": {"zh": "又有{value0}名群众赶来", "en": "{value0} more petitioners on their way"},
    "equipment_failed": {"zh": "{actor}的{subject_item}发生故障", "en": "{actor}'s {subject_item} fails"},
    "equipment_replaced": {"zh": "{actor}送来备用{subject_item}（故障后{value0}分钟）", "en": "{actor} brings a spare {subject_item} ({value0} min after the failure)"},
    "equipment_shortage": {"zh": "{actor}缺少{subject_item}", "en": "{actor} lacks {subject_item}"},
    "supply_exhausted": {"zh": "{actor}的{subject_item}已用完", "en": "{actor} has run out of {subject_item}"},
    "water_provided": {"zh": "{actor}向群众提供饮用水", "en": "{actor} hands out water"},
    "room_ready": {"zh": "接访场所准备就绪", "en": "Reception room ready for talks"},
    "health_incident": {"zh": "现场一名群众身体不适倒地", "en": "A person collapses"},
    "injury": {"zh": "冲突中一人受伤", "en": "A person is injured in the scuffle"},
    "medical_attended": {"zh": "{actor}到达伤病员身边（响应{value0}分钟）", "en": "{actor} reaches the patient ({value0} min)"},
    "medical_unavailable": {"zh": "预案未设医疗救护力量", "en": "The plan has no medical unit"},
    "transported": {"zh": "{actor}将伤病员送医", "en": "{actor} takes a patient to hospital"},
    "rumour_posted": {"zh": "现场视频被发布到网上", "en": "A video of the scene is posted online"},
    "rumour_detected": {"zh": "{actor}监测到网络谣言（覆盖率{value_pct}）", "en": "{actor} detects the rumour online (reach {value_pct})"},
    "statement_issued": {"zh": "{actor}发布权威信息（此时谣言覆盖率{value_pct}）", "en": "{actor} issues an official statement (rumour reach {value_pct})"},
    "policy_silent": {"zh": "信息发布政策为不对外发布", "en": "Release policy: no statement"},
    "force_used": {"zh": "{actor}强制清场，{value0}人被推离", "en": "{actor} uses force; {value0} people pushed back"},
    "targeted_intervention": {"zh": "{actor}劝离大门前的{value0}名过激人员", "en": "{actor} leads {value0} agitators away from the gate"},
    "crowd_state": {"zh": "现场态势变为：{subject_word}", "en": "Crowd now {subject_word}"},
    "report_sent": {"zh": "{actor}向上级报告（{subject}）{late_word}", "en": "{actor} reports upward ({subject}) {late_word}"},
    "reinforcement_requested": {"zh": "请求增派警力{value0}人", "en": "Reinforcement of {value0} officers requested"},
    "reinforcement_arrived": {"zh": "增援警力{value0}人到场", "en": "{value0} reinforcing officers arrive"},
    "slip_late": {"zh": "{actor}因不熟悉预案，“{subject}”延误{value0}分钟", "en": "{actor}, unsure of the plan, starts '{subject}' {value0} min late"},
    "slip_incomplete": {"zh": "{actor}的“{subject}”内容不全，补报用时{value0}分钟", "en": "{actor}'s '{subject}' lacked contents; {value0} min to redo"},
    "message_lost": {"zh": "{actor}发往{subject_name}的信息丢失，重发", "en": "{actor}'s message to {subject_name} is lost and resent"},
    "message_late": {"zh": "{actor}发往{subject_name}的信息迟到（{value0}分钟）", "en": "{actor}'s message to {subject_name} arrives late ({value0} min)"},
    "message_misdirected": {"zh": "{actor}发往{subject_name}的信息误送他组后转交", "en": "{actor}'s message for {subject_name} goes to the wrong team first"},
    "leader_on_site": {"zh": "涉事单位负责人到场", "en": "The responsible unit's leader arrives"},
    "top_leader_on_site": {"zh": "主要领导到场接见群众", "en": "The top leader meets the crowd"},
    "demand_leader": {"zh": "群众要求见主要领导", "en": "The crowd demands to see the top leader"},
    "comms_outage": {"zh": "通信中断{value0}分钟", "en": "Communications down for {value0} min"},
    "weather": {"zh": "气温升至{value0}℃", "en": "Temperature now {value0} °C"},
    "message_received": {"zh": "{actor}收到导调信息", "en": "{actor} receives an exercise message"},
    "task_start": {"zh": "{actor}开始：{subject}", "en": "{actor} starts {subject}"},
    "task_end": {"zh": "{actor}完成：{subject}", "en": "{actor} finishes {subject}"},
}

ITEMS: dict[str, dict[str, str]] = {
    "loudspeaker": {"zh": "扩音设备", "en": "loudspeaker"},
    "radio": {"zh": "对讲机", "en": "radio"},
    "vehicle": {"zh": "车辆", "en": "vehicles"},
    "water": {"zh": "饮用水", "en": "water"},
    "food": {"zh": "食品", "en": "food"},
    "ambulance": {"zh": "救护车", "en": "ambulance"},
    "barrier": {"zh": "隔离护栏", "en": "barriers"},
}

ACTORS: dict[str, dict[str, str]] = {
    "crowd": {"zh": "上访群众", "en": "Crowd"},
    "online": {"zh": "网络", "en": "Online"},
    "exercise": {"zh": "导调组", "en": "Exercise control"},
    "responsible_unit": {"zh": "涉事单位", "en": "Responsible unit"},
}

LATE_WORDS = {"late": {"zh": "，超出时限", "en": "late"}, "on_time": {"zh": "，按时", "en": "on time"}}


def phrase(key: str, lang: str, **fmt) -> str:
    """The phrase ``key`` in ``lang``, formatted with ``fmt``."""
    text = PHRASES[key][lang]
    return text.format(**fmt) if fmt else text


def word(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    """A word from ``table``, or ``key`` itself when the table lacks it."""
    entry = table.get(key)
    return entry[lang] if entry else key
