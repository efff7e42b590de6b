"""Every phrase a report shows, in Chinese and English. Rendering code looks words up here.

Event templates take ``{actor}`` (team name), ``{subject}``, ``{subject_name}`` (team name of
the subject, when it is a team), ``{value}`` and ``{value0}`` (rounded) from the event row.
"""

from __future__ import annotations

import re

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
    "key_metrics": {"zh": "关键指标", "en": "Key figures"},
    "console_tasks": {"zh": "关键任务评定（综合得分{score:.1f}分，评定等级：{grade}）",
                      "en": "Critical tasks rated (score {score:.1f} of 100, grade: {grade})"},
    "criterion": {"zh": "评估标准（T+分钟）", "en": "Criterion (T+min)"},
    "criterion_need": {"zh": "（按事态需要）", "en": " (incident's need)"},
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
    "no_target": {"zh": "不设时限", "en": "no target"},
    "not_rated": {"zh": "不适用", "en": "NA"},
    "wrong_level_detail": {"zh": "{text}（{when}约{count}人，应为“{level}”）",
                           "en": "{text} ({when} about {count} people: “{level}”)"},
    "at_declaration": {"zh": "宣布时现场实际", "en": "at the declaration"},
    "at_peak": {"zh": "预警后实际到场最多", "en": "after the warning, at most"},
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
    "peak_active_share": {"zh": "行动人员占比峰值", "en": "Peak share acting out"},
    "scuffle_minutes": {"zh": "推搡冲突累计时长（分钟）", "en": "Minutes of scuffles"},
    "health_presentations": {"zh": "群众自发伤病人数（不含脚本注入）", "en": "Health presentations (besides scripted)"},
    "talks_rounds_failed": {"zh": "未达成一致的协商轮次", "en": "Rounds of talks that failed"},
    "broken_promises": {"zh": "承诺未兑现次数", "en": "Promises seen broken"},
    "legitimacy_end": {"zh": "结束时群众信任度", "en": "Legitimacy at the end"},
    "end_reason": {"zh": "结束原因", "en": "How the run ended"},
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

METRIC_LABELS.update({
    "verification_min": {"zh": "核实情况（分钟）", "en": "Verification (min)"},
    "level_declared_min": {"zh": "宣布响应级别（分钟）", "en": "Level declared (min)"},
    "cordon_min": {"zh": "划定警戒区域（分钟）", "en": "Cordon set (min)"},
    "force_used": {"zh": "使用强制措施（次）", "en": "Uses of force"},
    "talks_wait_min": {"zh": "协商等待答复（分钟）", "en": "Talks waiting for answers (min)"},
    "arrived": {"zh": "到场总人数（人）", "en": "People who came"},
    "duration_min": {"zh": "推演时长（分钟）", "en": "Drill duration (min)"},
    "injects_fired": {"zh": "已注入导调信息（条）", "en": "Injects fired"},
    "expected_met": {"zh": "预期行动按时完成（条）", "en": "Expected actions in time"},
    "expected_late": {"zh": "预期行动超时完成（条）", "en": "Expected actions late"},
    "expected_missed": {"zh": "预期行动未完成（条）", "en": "Expected actions missed"},
    "warning_known_min": {"zh": "获知预警（分钟）", "en": "Warning known (min)"},
    "resolving_at_end": {"zh": "结束时正在化解（达成承诺、人员散去中）", "en": "Being resolved at the end"},
    "first_response_steps": {"zh": "先期处置措施（项）", "en": "First-response steps taken"},
    "commander_on_site_min": {"zh": "指挥员到场（分钟）", "en": "Commander on site (min)"},
    "person_at_risk_min": {"zh": "出现高处轻生人员（分钟）", "en": "Person at height (min)"},
    "person_safe_min": {"zh": "高处人员脱险（分钟）", "en": "Person at height safe (min)"},
    "person_outcome": {"zh": "高处人员结局", "en": "How the person at height ended"},
    "counselled": {"zh": "接受心理疏导（人）", "en": "People counselled"},
    "elderly_agitation_end": {"zh": "结束时老年群众激动程度", "en": "Elderly petitioners' agitation at the end"},
})

LEVEL_TIME_LABEL = {"zh": "达到响应级别“{level}”（分钟）", "en": "Level “{level}” reached (min)"}
"""The label of a ``level_times.<level>`` metric."""

VALUE_WORDS: dict[str, dict[str, str]] = {
    "calm": {"zh": "平稳", "en": "calm"},
    "vocal": {"zh": "吵闹", "en": "vocal"},
    "blocking": {"zh": "围堵", "en": "blocking"},
    "scuffle": {"zh": "推搡冲突", "en": "scuffle"},
    "resolved": {"zh": "妥善处置（达成承诺并疏散）", "en": "resolved (commitment made, site cleared)"},
    "dispersed_unresolved": {"zh": "人员散去但诉求未解决", "en": "dispersed, grievance unresolved"},
    "ongoing_at_end": {"zh": "推演结束时仍在处置", "en": "still ongoing when the drill ended"},
    "escalated": {"zh": "事态升级未得到控制", "en": "escalated, not brought under control"},
    "time_limit": {"zh": "至想定时限结束", "en": "stopped at the scenario's time limit"},
    # first-response steps (plan `first_response`)
    "cordon": {"zh": "设置临时警戒", "en": "a provisional cordon"},
    "traffic_control": {"zh": "实施交通管制", "en": "traffic control"},
    "disperse_onlookers": {"zh": "劝离围观群众", "en": "onlookers asked to move on"},
    "calm_crowd": {"zh": "倾听诉求、稳定情绪", "en": "listening to the crowd and calming it"},
    "call_ambulance": {"zh": "通知120急救", "en": "the ambulance called (120)"},
    "water_food": {"zh": "提供饮用水", "en": "drinking water handed out"},
    "evacuate_uninvolved": {"zh": "疏散无关群众", "en": "the uninvolved public guided away"},
    "call_110": {"zh": "报警（110）", "en": "the police called (110)"},
    "report_upward": {"zh": "向上级报告", "en": "the first report sent upward"},
    # a person at risk: how it ended
    "talked_down": {"zh": "经劝导自行下来", "en": "talked down"},
    "rescued": {"zh": "被救援人员救下", "en": "brought down by the rescuers"},
    "caught": {"zh": "坠落时被救生气垫接住", "en": "caught by the air cushion"},
    "fell": {"zh": "坠落", "en": "fell"},
    "at_risk": {"zh": "推演结束时仍未脱险", "en": "still at risk when the drill ended"},
    # rain and warning signs
    "none": {"zh": "无降水", "en": "no rain"},
    "rain": {"zh": "降雨", "en": "rain"},
    "heavy_rain": {"zh": "大雨", "en": "heavy rain"},
    "online_call": {"zh": "网上出现聚集召集信息", "en": "a call to gather posted online"},
    "tip_off": {"zh": "接到线索举报", "en": "a tip-off"},
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
    "level_declared": {"zh": "宣布启动{level_response}（约{value0}人）", "en": "{level_name} declared (about {value0} people)"},
    "level_raised": {"zh": "响应级别提升至{level_name}（约{value0}人）", "en": "Level raised to {level_name} (about {value0} people)"},
    "level_lowered": {"zh": "现场约{value0}人，态势相当于{level_name}（低于此前级别）", "en": "About {value0} people: a situation at {level_name}, below the level before"},
    "plan_activated": {"zh": "预案启动（{level_name}）", "en": "Plan activated ({level_name})"},
    "dispatch_order": {"zh": "{actor}命令{subject_name}赶赴现场", "en": "{actor} orders {subject_name} to the site"},
    "dispatched": {"zh": "{actor}接到出动指令", "en": "{actor} receives the order to go"},
    "team_on_site": {"zh": "{actor}到达现场", "en": "{actor} arrives on site"},
    "cordon_set": {"zh": "{actor}完成警戒区域划定和交通管制", "en": "{actor} has the cordon and traffic control in place"},
    "dialogue_started": {"zh": "{actor}开始宣讲政策、疏导情绪", "en": "{actor} starts explaining the policy"},
    "representatives_chosen": {"zh": "群众推选{value0}名代表", "en": "The crowd names {value0} representatives"},
    "talks_waiting": {"zh": "{actor}等待答复（{subject}），协商暂停", "en": "{actor} waits for an answer ({subject}); talks pause"},
    "talks_resumed": {"zh": "收到答复，协商恢复（等待{value0}分钟）", "en": "Answer received; talks resume after {value0} min"},
    "agreement": {"zh": "与群众代表达成承诺", "en": "Commitment made to the representatives"},
    "cleared": {"zh": "现场疏散完毕（剩余{value0}人）", "en": "Site cleared (petitioners remaining: {value0})"},
    "inject": {"zh": "导调注入：{detail}", "en": "Inject: {detail}"},
    "expected_missed": {"zh": "导调注入{subject}的预期行动未在{value0}分钟内完成", "en": "Inject {subject}: expected action not taken within {value0} min"},
    "inject_skipped": {"zh": "导调员跳过注入{subject}", "en": "The facilitator skips inject {subject}"},
    "inject_fewer": {"zh": "注入{subject}所设人数多于在场人数，仅{value0}人受影响", "en": "Inject {subject} asks for more people than were on site: {value0} affected"},
    "inject_no_item": {"zh": "{actor}没有可用的{subject_item}，注入的装备故障无从发生", "en": "{actor} has no working {subject_item}: the inject's equipment failure has nothing to act on"},
    "inject_no_team": {"zh": "注入{subject}所指向的职能本预案未设，无人接收", "en": "Inject {subject} is addressed to a function no team of the plan has: nobody receives it"},
    "decision": {"zh": "参训人员决策：{detail}", "en": "Trainees decide: {detail}"},
    "gate_blocked": {"zh": "{value0}名群众围堵大门", "en": "{value0} people block the gate"},
    "agitation": {"zh": "{value0}名群众情绪被激化", "en": "{value0} people provoked"},
    "arrivals": {"zh": "又有{value0}名群众赶来", "en": "{value0} more petitioners on their way"},
    "equipment_failed": {"zh": "{actor}的{subject_item}发生故障", "en": "{actor}'s {subject_item} fails"},
    "equipment_replaced": {"zh": "{actor}送来备用{subject_item}（故障后{value0}分钟）", "en": "{actor} brings a spare {subject_item} ({value0} min after the failure)"},
    "equipment_shortage": {"zh": "{actor}缺少{subject_item}", "en": "{actor} lacks {subject_item}"},
    "no_spare": {"zh": "{actor}的{subject_item}故障后，预案中没有后勤保障力量可以更换", "en": "No logistics team to replace {actor}'s {subject_item}"},
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
    "targeted_intervention": {"zh": "{actor}到围堵处疏导，劝离{value0}名过激人员", "en": "{actor} talks the blocked way open and leads agitators aside (people: {value0})"},
    "crowd_state": {"zh": "现场态势变为：{subject_word}（原因：{causes_words}）", "en": "Crowd now {subject_word} (causes: {causes_words})"},
    "scuffle_started": {"zh": "现场发生推搡冲突，约{value0}人接触（原因：{causes_words}）", "en": "Pushing and shoving at the line: about {value0} people in contact (causes: {causes_words})"},
    "scuffle_ended": {"zh": "推搡平息（持续{value0}分钟）", "en": "The scuffle subsides after {value0} min"},
    "level_confirmed": {"zh": "核实后确认{level_response}", "en": "{level_name} confirmed on verification"},
    "talks_stalled": {"zh": "现场冲突，协商暂停", "en": "Talks stall during the scuffle"},
    "talks_failed": {"zh": "本轮协商未达成一致（成功把握{value_pct}），择时再谈", "en": "A round of talks ends without agreement (chance was {value_pct}); talks will resume"},
    "promise_broken": {"zh": "群众认为承诺未兑现，情绪反弹", "en": "The crowd sees a promise broken"},
    "recalled": {"zh": "{actor}撤离现场", "en": "{actor} is recalled from the site"},
    "report_sent": {"zh": "{actor}向上级报告（{subject}）{late_word}", "en": "{actor} reports upward ({subject}) {late_word}"},
    "reinforcement_requested": {"zh": "请求增派警力{value0}人", "en": "Reinforcement of {value0} officers requested"},
    "reinforcement_arrived": {"zh": "增援警力{value0}人到场", "en": "{value0} reinforcing officers arrive"},
    "slip_late": {"zh": "{actor}因不熟悉预案，“{subject}”延误{value0}分钟", "en": "{actor}, unsure of the plan, starts '{subject}' {value0} min late"},
    "slip_incomplete": {"zh": "{actor}的“{subject}”内容不全，补报用时{value0}分钟", "en": "{actor}'s '{subject}' lacked contents; {value0} min to redo"},
    "message_lost": {"zh": "{actor}发往{subject_name}的信息丢失，重发", "en": "{actor}'s message to {subject_name} is lost and resent"},
    "message_late": {"zh": "{actor}发往{subject_name}的信息迟到（{value0}分钟）", "en": "{actor}'s message to {subject_name} arrives late ({value0} min)"},
    "message_misdirected": {"zh": "{actor}发往{subject_name}的信息误送他组后转交", "en": "{actor}'s message for {subject_name} goes to the wrong team first"},
    "leader_on_site": {"zh": "{actor}负责人到场", "en": "The leader of {actor_inline} arrives"},
    "top_leader_on_site": {"zh": "主要领导到场接见群众", "en": "The top leader meets the crowd"},
    "demand_leader": {"zh": "群众要求见主要领导", "en": "The crowd demands to see the top leader"},
    "comms_outage": {"zh": "通信中断{value0}分钟", "en": "Communications down for {value0} min"},
    "weather": {"zh": "天气变化：气温{value0}℃，{subject_word}", "en": "Weather now {value0} °C, {subject_word}"},
    "food_provided": {"zh": "{actor}为{value0}名群众提供食品", "en": "{actor} hands out food to {value0} people"},
    "commander_called": {"zh": "{actor}通知{subject_name}赶赴现场指挥", "en": "{actor} calls {subject_name} to take command"},
    "commander_on_site": {"zh": "{actor}到达现场指挥", "en": "{actor} arrives and takes command"},
    "awaiting_authority": {"zh": "群众代表接受方案，但诉求超出现场人员的决定权限，等待有权限的领导到场承诺", "en": "The representatives accept, but the demand is beyond the authority of those on site; the commitment waits for a leader who may give it"},
    "first_response": {"zh": "{actor}先期处置：{subject_word}", "en": "{actor}'s first response: {subject_word}"},
    "warning_signal": {"zh": "预警信号：{subject_word}，预计约{value0}人", "en": "Warning sign: {subject_word}, about {value0} people expected"},
    "warning_detected": {"zh": "{actor}获悉预警信息，预计约{value0}人", "en": "{actor} learns of the warning: about {value0} people expected"},
    "evacuated": {"zh": "{actor}开始疏散无关群众", "en": "{actor} starts moving the uninvolved public away"},
    "psych_support": {"zh": "{actor}开始对老年和情绪激动的群众进行心理疏导", "en": "{actor} starts psychological support for the elderly and distressed"},
    "person_at_risk": {"zh": "一名人员爬上约{value0}米高处，扬言跳下", "en": "A person climbs to about {value0} m and threatens to jump"},
    "rescue_deployed": {"zh": "{actor}铺设救生气垫、架设云梯", "en": "{actor} sets up an air cushion and a ladder"},
    "talk_down_started": {"zh": "{actor}开始与轻生人员对话劝导", "en": "{actor} starts talking with the person at risk"},
    "person_safe": {"zh": "轻生人员脱险（{subject_word}，历时{value0}分钟）", "en": "The person at risk is safe ({subject_word}, after {value0} min)"},
    "person_fell": {"zh": "轻生人员坠落受伤（历时{value0}分钟）", "en": "The person at risk falls and is hurt (after {value0} min)"},
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


_S_POSSESSIVE = re.compile(r"(?<=s)'s\b")


def possessive_en(text: str) -> str:
    """English text with a plural-looking name's possessive written ``guards'``, not
    ``guards's``."""
    return _S_POSSESSIVE.sub("'", text)


def count_en(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with its English noun in the right number: "1 slip", "3 slips", "2 call-outs"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


_SINGULAR = {"plans": "plan", "replications": "replication", "workers": "worker",
             "drills": "drill", "runs": "run", "points": "point", "factors": "factor",
             "trajectories": "trajectory", "processes": "process", "resamples": "resample"}
_ONE_OF = re.compile(r"(?<![\d.,])1 (" + "|".join(_SINGULAR) + r")\b")


def one_singular(text: str) -> str:
    """English ``text`` with a count of one taking its noun in the singular ("1 plans" ->
    "1 plan"), for phrases whose counts are filled in."""
    return _ONE_OF.sub(lambda m: f"1 {_SINGULAR[m.group(1)]}", text)


def lookup(table: dict[str, dict[str, str]], key: str, lang: str, **fmt) -> str:
    """Entry ``key`` of a phrase ``table`` in ``lang``, formatted with ``fmt`` (in English, a
    count of one with its noun in the singular)."""
    text = table[key][lang]
    if not fmt:
        return text
    text = text.format(**fmt)
    return one_singular(text) if lang == "en" else text


def phrase(key: str, lang: str, **fmt) -> str:
    """The report phrase ``key`` in ``lang``, formatted with ``fmt``."""
    return lookup(PHRASES, key, lang, **fmt)


def word(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    """A word from ``table``, or ``key`` itself when the table lacks it."""
    entry = table.get(key)
    return entry[lang] if entry else key


PHRASES.update({
    "statement_time": {"zh": "首次发布", "en": "First statement"},
    "ms_first_report": {"zh": "首报", "en": "first report"},
    "ms_plan_activated": {"zh": "启动预案", "en": "plan activated"},
    "ms_agreement": {"zh": "达成承诺", "en": "commitment"},
    "ms_cleared": {"zh": "疏散完毕", "en": "cleared"},
    "gantt_mobilising": {"zh": "集结", "en": "mobilising"},
    "gantt_travelling": {"zh": "途中", "en": "travelling"},
    "gantt_on_site": {"zh": "在现场", "en": "on site"},
    "gantt_task": {"zh": "现场任务", "en": "task on site"},
    "gantt_inject": {"zh": "导调注入", "en": "inject"},
    "chart_gantt": {"zh": "各工作组行动甘特图", "en": "Team activities (Gantt)"},
    "chart_response": {"zh": "关键任务实际用时与评估标准", "en": "Critical tasks: measured time against the drill's criterion"},
    # the report's structure after seed 004
    "s1": {"zh": "一、演练基本情况", "en": "1. Overview"},
    "s1_background": {"zh": "（一）演练背景设定", "en": "1.1 Background"},
    "s1_objectives": {"zh": "（二）演练目标", "en": "1.2 Objectives"},
    "s1_time_place": {"zh": "（三）演练时间和地点", "en": "1.3 Time and place"},
    "s1_participants": {"zh": "（四）参与人员", "en": "1.4 Participants"},
    "s2": {"zh": "二、演练过程", "en": "2. Conduct of the drill"},
    "s3": {"zh": "三、演练效果评估", "en": "3. Evaluation"},
    "s3_effect": {"zh": "应急预案的可行性和有效性", "en": "Feasibility and effectiveness of the plan"},
    "s3_coordination": {"zh": "部门协调联动能力", "en": "Coordination between departments"},
    "s3_staff": {"zh": "工作人员应急处置能力", "en": "Staff capability"},
    "s3_ratings": {"zh": "关键任务评定", "en": "Ratings of critical tasks"},
    "s3_injects": {"zh": "导调注入及预期行动", "en": "Injects and expected actions"},
    "s3_decisions": {"zh": "参训人员决策", "en": "Trainees' decisions"},
    "decisions_line": {"zh": "推演共经过{n}个决策点，参训人员作出{own}项与预案不同的决策{controls_zh}；下表列出这些决策及附有备注的决策点：",
                       "en": "The drill stopped at {n_en}; the trainees took {own_en} other than the plan's{controls_en}. The table lists them, and the points with a note:"},
    "decisions_line_none": {"zh": "推演共经过{n}个决策点，参训人员均按预案继续。",
                            "en": "The drill stopped at {n_en}; each time the trainees carried on with the plan."},
    "facilitator_controls": {"zh": "，导调员另有{c}项操作（临时注入或跳过注入）",
                             "en": ", and the facilitator made {c_en} (an inject added or skipped)"},
    "facilitator_note": {"zh": "导调员的操作不是参训人员的决策，不单独对照；其影响与各项决策一并体现在下表中。",
                         "en": "The facilitator's controls are not the trainees' decisions and are not set apart: their effect is in the table below with the decisions'."},
    "decision_col": {"zh": "决策", "en": "Decision"},
    "note_col": {"zh": "备注", "en": "Note"},
    "s3_gaps": {"zh": "存在的问题和不足", "en": "Problems and shortcomings"},
    "injects_line": {"zh": "共注入{fired}条导调信息，{expected}条设有预期行动：按时完成{met}条，超时{late}条，未完成{missed}条。"
                           "预期行动按各注入自身的时限评定（自注入时起计），与上表按预案评估标准（自T0起计）评定的同一行动可能结论不同。",
                     "en": "{fired} injects fired, {expected} with an expected action: {met} answered in time, {late} late, {missed} missed. "
                           "An expected action is judged against its inject's own time limit (from the inject), so the same action may rate differently in the table above, which uses the drill's criteria from T0."},
    "inject": {"zh": "注入", "en": "Inject"},
    "trigger": {"zh": "触发", "en": "Trigger"},
    "fired": {"zh": "注入时间", "en": "Fired"},
    "expected_action": {"zh": "预期行动", "en": "Expected action"},
    "deadline": {"zh": "时限（T+分钟）", "en": "Deadline (T+min)"},
    "response": {"zh": "响应用时（分钟）", "en": "Response time (min)"},
    "clause": {"zh": "检验条款", "en": "Plan clause"},
    "s4": {"zh": "四、改进措施", "en": "4. Improvement measures"},
    "s5": {"zh": "附：态势图表", "en": "Annex: charts"},
    "objective_item": {"zh": "{task}：不超过T{target}分钟", "en": "{task}: by T{target} min"},
    "objective_from_level": {"zh": "{task}：宣布“{level}”响应后{within}分钟内（不超过T{target}分钟）",
                             "en": "{task}: within {within} min of “{level}” being declared "
                                   "(by T{target} min)"},
    "objective_nolimit": {"zh": "{task}（不设时限）", "en": "{task} (no time limit)"},
    "objective_level": {"zh": "{task}（不设时限，按宣布时的实际人数评定）",
                        "en": "{task} (no time limit; judged on the true headcount when declared)"},
    "outdoor": {"zh": "室外", "en": "outdoors"},
    "indoor": {"zh": "室内", "en": "indoors"},
    "capabilities": {"zh": "职能", "en": "Capabilities"},
    "phase_report": {"zh": "（一）事件报告与响应", "en": "2.1 Report and response"},
    "phase_stabilise": {"zh": "（二）现场稳控", "en": "2.2 On-site stabilisation"},
    "phase_information": {"zh": "（三）信息收集与分析", "en": "2.3 Information gathering and analysis"},
    "phase_negotiation": {"zh": "（四）协商与处理", "en": "2.4 Negotiation"},
    "phase_dispersal": {"zh": "（五）人员疏散与后续工作", "en": "2.5 Dispersal and follow-up"},
    "rating": {"zh": "评定", "en": "Rating"},
    "reason": {"zh": "依据", "en": "Basis"},
    "grade_capped": {"zh": "得分本对应“{scored}”，因{caps}，评定等级降为“{grade}”（任务平均分不能抵消处置后果）。",
                     "en": "The score alone would give \"{scored}\"; the grade is capped at \"{grade}\" because {caps}: the mean of task points cannot outweigh what happened."},
    "cap_escalated": {"zh": "推演结束时冲突仍在持续", "en": "a scuffle was still going at the end"},
    "cap_many_injured": {"zh": "冲突中受伤人数较多（{n}人及以上）", "en": "many were hurt in scuffles ({n} or more)"},
    "cap_injuries": {"zh": "冲突中有人受伤", "en": "people were hurt in a scuffle"},
    "cap_force": {"zh": "使用了强制措施", "en": "force was used on the crowd"},
    "cap_unattended": {"zh": "有伤病员未得到救治", "en": "a patient was never reached"},
    "cap_unresolved": {"zh": "未达成承诺且处置未走向化解", "en": "no agreement was reached and the run was not on its way to one"},
    "cap_rumour_unanswered": {"zh": "网络谣言扩散而未发布权威信息", "en": "the rumour spread with no official statement"},
    "score_line": {"zh": "综合得分{score:.1f}分，评定等级：{grade}。共评定{rated}项关键任务：P {P}项，S {S}项，M {M}项，U {U}项{na_zh}。",
                   "en": "Score {score:.1f} of 100, grade: {grade}. {rated} critical tasks rated: P {P}, S {S}, M {M}, U {U}{na_en}."},
    "rating_rule": {"zh": "评定规则：P（顺利完成）——在评估标准内完成且无问题；S（基本完成）——在时限内完成但存在问题，或超时不超过{over:.0%}；M（存在较大问题）——超时超过{over:.0%}，或造成其他任务受损、增加风险（使用强制措施、人员受伤）；U（未能完成）——推演结束时仍未完成。",
                    "en": "Rating rule: P, performed within the criterion without challenges; S, within it but with challenges, or at most {over:.0%} over it; M, more than {over:.0%} over the limit, or with harm to other tasks or added risk (force used, injuries); U, not performed by the end of the drill."},
    "score_rule": {"zh": "计分规则：P={P}分，S={S}分，M={M}分，U={U}分，取各评定任务的平均分；≥90分为优，≥75分为良，≥60分为一般，其余为差。不适用项不计分。",
                   "en": "Scoring rule: P={P}, S={S}, M={M}, U={U} points, averaged over the rated tasks; 90 and above Excellent, 75 Good, 60 Fair, below Poor. Tasks not applicable are not scored."},
    "no_gaps": {"zh": "本次推演未发现预案熟悉、协调联动、物资装备和舆情应对方面的明显问题。",
                "en": "This run showed no gap in plan familiarity, coordination, equipment or public-opinion handling."},
    "evidence": {"zh": "依据：", "en": "Evidence:"},
    "measures_intro": {"zh": "针对上述问题，提出以下改进措施：", "en": "For the problems above:"},
    "no_measures": {"zh": "本次推演未发现需要整改的问题，建议保持现有做法并按计划开展下次演练。",
                    "en": "No problem called for a corrective action; keep current practice and drill again as planned."},
    "issue": {"zh": "问题", "en": "Issue"},
    "measure": {"zh": "改进措施", "en": "Measure"},
    "element": {"zh": "能力要素", "en": "Capability element"},
    "owner": {"zh": "责任单位", "en": "Responsible"},
    "due": {"zh": "完成时限", "en": "Due"},
    "open": {"zh": "待整改", "en": "open"},
    "status_col": {"zh": "状态", "en": "Status"},
    "effect_other": {"zh": "推演结果：{outcome}。",
                     "en": "Outcome: {outcome}."},
    "effect_time_limit": {"zh": "推演在想定规定的{limit}分钟时限处结束，现场尚未疏散完毕。",
                          "en": "The scenario's time limit of {limit} minutes ended the run before the site was cleared."},
    "effect_resolving": {"zh": "结束时已达成承诺、群众正在离场，处置正在走向化解，未完成部分是时限所致而非处置失败。",
                         "en": "A commitment had been made and people were leaving: the response was on its way to resolution, and what is unfinished is due to the time limit, not a failure."},
    "effect_unresolved": {"zh": "结束时未达成承诺，现场仍有群众滞留，属于未化解。",
                          "en": "No commitment had been made and people remained on site: the incident was not resolved."},
    "effect_state": {"zh": "现场态势最严重时为“{state}”，发生推搡冲突{scuffles}次，伤病{health}人次。",
                     "en": "The crowd was at worst \"{state}\"; scuffle episodes: {scuffles}; health incidents: {health}."},
    "coord_line": {"zh": "各工作组共传递信息{sent}条（不含导调信息），其中迟到{late}条、丢失后重发{resent}条、丢失未送达{lost}条、误送{misdirected}条；协商因等待答复暂停累计{wait:.0f}分钟。",
                   "en": "Messages of the plan's teams (injects not counted): {sent}; late: {late}; lost and sent again: {resent}; lost, never delivered: {lost}; misdirected: {misdirected}. Talks paused {wait:.0f} min in all waiting for answers."},
    "staff_none": {"zh": "未记录到因不熟悉预案导致的执行失误。", "en": "No slips by staff unsure of the plan were recorded."},
    "at_t": {"zh": "T+{t}分钟", "en": "T+{t}"},
    "repeated": {"zh": "（此后多次重复，至{t}）", "en": " (repeated until {t})"},
})

TASK_LABELS: dict[str, dict[str, str]] = {
    "first_report": {"zh": "首次报告", "en": "First report"},
    "verification": {"zh": "核实情况", "en": "Verification"},
    "level": {"zh": "正确确定响应级别", "en": "Level declared correctly"},
    "person_at_risk": {"zh": "轻生人员救助（救生气垫到位或人员脱险）", "en": "Person at risk protected (air cushion up or person safe)"},
    "activation": {"zh": "启动预案", "en": "Plan activated"},
    "team_on_site": {"zh": "{team}到场", "en": "{team} on site"},
    "cordon": {"zh": "划定警戒区域、交通管制", "en": "Cordon and traffic control"},
    "dialogue_start": {"zh": "开始接访对话", "en": "Dialogue started"},
    "representatives": {"zh": "推选群众代表", "en": "Representatives chosen"},
    "agreement": {"zh": "达成承诺", "en": "Commitment reached"},
    "medical": {"zh": "伤病员救护（共{n}例，时限内{within}例）", "en": "Medical care (cases: {n}; within the limit: {within})"},
    "statement": {"zh": "首次发布权威信息", "en": "First official statement"},
    "report": {"zh": "向{to}报告", "en": "Report to: {to}"},
    "cleared": {"zh": "现场疏散", "en": "Site cleared"},
    "restraint": {"zh": "区别对待、不对群众整体使用强制措施", "en": "Differentiated handling, no force on the crowd as a whole"},
}

REASONS: dict[str, dict[str, str]] = {
    "within_target": {"zh": "在时限内完成", "en": "within the limit"},
    "performed": {"zh": "已完成", "en": "performed"},
    "challenges": {"zh": "完成但存在问题", "en": "performed with challenges"},
    "slightly_over": {"zh": "略超时限", "en": "slightly over the limit"},
    "over_target": {"zh": "明显超时", "en": "well over the limit"},
    "harm": {"zh": "造成其他任务受损或增加风险", "en": "harmed other tasks or added risk"},
    "person_fell": {"zh": "安全措施到位前人员坠落", "en": "the person fell before being protected"},
    "not_performed": {"zh": "推演结束时未完成", "en": "not performed by the end"},
    "not_due": {"zh": "推演结束时尚未到时限", "en": "the drill ended before it was due"},
    "unattended": {"zh": "有伤病员未得到救护", "en": "some patients were never reached"},
    "correct": {"zh": "级别与现场实际相符（人数或预案所列条件）", "en": "level matches the situation (the true headcount or the plan's condition)"},
    "wrong_level": {"zh": "级别与实际人数不符", "en": "level does not match the true headcount"},
    "under_peak": {"zh": "人数增长后未及时提升级别", "en": "level not raised as the crowd grew"},
    "silent_policy": {"zh": "预案规定原则上不对外发布", "en": "the plan calls for no publicity"},
    "no_rumour": {"zh": "未出现需回应的舆情", "en": "no rumour called for an answer"},
    "below_plan": {"zh": "人数未达预案适用范围", "en": "headcount below the plan's scope"},
    "no_levels": {"zh": "预案未分级", "en": "the plan has no levels"},
    "plan_gap": {"zh": "预案缺陷：预案未作规定，但事态需要而未完成", "en": "plan gap: the plan leaves it out, but the incident needed it and it was not done"},
}

GAP_TITLES: dict[str, dict[str, str]] = {
    "familiarity": {"zh": "部分工作人员对预案内容不够熟悉", "en": "Some staff are not familiar enough with the plan"},
    "coordination": {"zh": "沟通协调还需进一步加强", "en": "Coordination needs strengthening"},
    "equipment": {"zh": "应急物资和装备准备不足", "en": "Emergency supplies and equipment fall short"},
    "public_opinion": {"zh": "舆情应对能力有待提高", "en": "Public-opinion handling needs improving"},
    "force": {"zh": "现场处置方式有待改进", "en": "On-site handling needs improving"},
}

EVENT_VARIANTS: dict[str, dict[str, str]] = {
    "targeted_intervention_none": {"zh": "{actor}到围堵处疏导（无人被劝离）",
                                   "en": "{actor} talks the blocked way open (nobody led aside)"},
    "plan_activated_no_level": {"zh": "预案启动", "en": "Plan activated"},
}
"""Event sentences for a special case of a kind (``<kind>_<case>``)."""

GAP_FACTS: dict[str, dict[str, str]] = {
    "familiarity": {"zh": "共记录执行失误{slips}次：{teams}。", "en": "Slips recorded: {slips} ({teams})."},
    "coordination": {"zh": "共传递信息{messages_sent}条（不含导调信息），迟到{late}条，丢失后重发{resent}条，丢失未送达{lost}条；协商等待答复累计{talks_wait_min:.0f}分钟。",
                     "en": "Messages (injects not counted): {messages_sent}; late: {late}; lost and sent again: {resent}; lost, never delivered: {lost}; talks waited {talks_wait_min:.0f} min for answers."},
    "equipment_failure": {"zh": "{team}的{item}在T+{failed:.0f}分钟发生故障，{restored}，停用{out:.0f}分钟，其中{explaining:.0f}分钟处于政策宣讲阶段、{talks:.0f}分钟处于协商阶段。",
                          "en": "{team}'s {item} failed at T+{failed:.0f}; {restored}; out for {out:.0f} min, {explaining:.0f} of them during the policy explanation and {talks:.0f} during talks."},
    "never_restored": {"zh": "推演结束时仍未修复", "en": "never replaced"},
    "equipment_short": {"zh": "物资短缺{n}次。", "en": "Shortages: {n}."},
    "equipment_capability": {"zh": "本预案没有承担{capability}的力量和装备：注入{injects}要求的“{actions}”始终无人落实。",
                             "en": "The plan has no team or equipment for {capability}: the response inject {injects} called for ({actions}) never came."},
    "equipment_capability_tasks": {"zh": "本预案没有承担{capability}的力量：{tasks}始终无人落实。",
                                   "en": "The plan has no team for {capability}: {tasks} never happened."},
    "equipment_medical": {"zh": "伤病员救护：{parts}。", "en": "Medical care: {parts}."},
    "medical_late": {"zh": "超出时限到达{n}例", "en": "cases reached after the limit: {n}"},
    "medical_never": {"zh": "推演结束时仍未得到救护{n}例", "en": "cases not reached by the end: {n}"},
    "public_opinion": {"zh": "信息发布政策为“{policy}”；谣言覆盖率峰值{peak}；首次发布权威信息：{statement}；网络谣言传播期间围观群众最多{onlookers}人。",
                       "en": "Release policy \"{policy}\"; peak rumour reach {peak}; first statement: {statement}; up to {onlookers} onlookers while the rumour spread."},
    "public_opinion_at": {"zh": "发布时谣言覆盖率已达{at}。", "en": "The rumour had reached {at} by the statement."},
}

POLICY_WORDS: dict[str, dict[str, str]] = {
    "silent": {"zh": "不对外发布", "en": "silent"},
    "reactive": {"zh": "被动回应", "en": "reactive"},
    "proactive": {"zh": "主动发布", "en": "proactive"},
}

ELEMENTS: dict[str, dict[str, str]] = {
    "planning": {"zh": "预案（计划）", "en": "Planning"},
    "organisation": {"zh": "组织", "en": "Organisation"},
    "equipment": {"zh": "装备物资", "en": "Equipment"},
    "training": {"zh": "培训", "en": "Training"},
    "exercise": {"zh": "演练", "en": "Exercise"},
}


COLOURS = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色", "green": "绿色"}
"""The usual colours of response levels, English to Chinese."""


def colour_word(text: str, lang: str) -> str:
    """A level's colour as a plan wrote it, in ``lang`` when it is one of :data:`COLOURS`
    (either language; other text as written)."""
    key = text.strip().lower()
    if lang == "zh" and key in COLOURS:
        return COLOURS[key]
    if lang == "en":
        back = {zh: en for en, zh in COLOURS.items()}
        back.update({zh.removesuffix("色"): en for en, zh in COLOURS.items()})
        return back.get(text.strip(), text)
    return text


def task_label(r, task, lang: str) -> str:
    """The label of a critical task (``reports.evaluation.Task``) in ``lang``."""
    template = TASK_LABELS[task.key][lang]
    if task.key == "team_on_site":
        team = r.plan.teams.get(task.subject)
        return template.format(team=team.name.get(lang) if team else task.subject)
    if task.key == "medical":
        return template.format(n=task.detail["cases"], within=task.detail["within"])
    if task.key == "report":
        rep = next((x for x in r.plan.reporting if x.id == task.subject), None)
        return template.format(to=rep.to.get(lang) if rep else task.subject)
    return template

POSTURE: dict[str, dict[str, str]] = {
    "restrained": {"zh": "克制", "en": "restrained"},
    "forceful": {"zh": "强制", "en": "forceful"},
}
"""An order team's posture in words."""

SUBJECTS: dict[str, dict[str, str]] = {
    "mobilisation": {"zh": "集结出动", "en": "mobilisation"},
    "mobilising": {"zh": "集结", "en": "mobilising"},
    "travelling": {"zh": "赶赴现场", "en": "travelling"},
    "first report": {"zh": "首次报告", "en": "first report"},
    "plan activation": {"zh": "启动预案", "en": "plan activation"},
    "statement": {"zh": "发布权威信息", "en": "statement"},
    "drafting statement": {"zh": "起草权威信息", "en": "drafting a statement"},
    "explaining": {"zh": "宣讲政策", "en": "explaining the policy"},
    "talks": {"zh": "与代表协商", "en": "talks with representatives"},
    "persuading": {"zh": "劝返", "en": "persuading people to go home"},
    "cordon and traffic control": {"zh": "警戒和交通管制", "en": "cordon and traffic control"},
    "opening the reception room": {"zh": "准备接访场所", "en": "opening the reception room"},
    "question": {"zh": "第{n}个问题", "en": "question {n}"},
    "report to": {"zh": "向{to}报告", "en": "report to: {to}"},
}


def subject_text(r, subject: str, lang: str) -> str:
    """A task or message subject from the event log, in ``lang``."""
    if subject.startswith("question "):
        return SUBJECTS["question"][lang].format(n=subject.split(" ", 1)[1])
    if subject.startswith("report to "):
        rid = subject[len("report to "):]
        return SUBJECTS["report to"][lang].format(to=report_name(r, rid, lang))
    rep = report_name(r, subject, lang) if r is not None else subject
    if rep != subject:
        return rep
    return word(SUBJECTS, subject, lang)


def report_name(r, report_id: str, lang: str) -> str:
    """Whom an upward report goes to, by the plan's report id."""
    rep = next((x for x in r.plan.reporting if x.id == report_id), None)
    return rep.to.get(lang) if rep else report_id

POINTS: dict[str, dict[str, str]] = {
    "inject": {"zh": "导调注入", "en": "inject"},
    "level": {"zh": "宣布响应级别", "en": "level declared"},
    "pause": {"zh": "定时暂停", "en": "scheduled pause"},
    "time": {"zh": "导调员暂停", "en": "the facilitator's pause"},
}

TRIGGERS: dict[str, dict[str, str]] = {
    "at": {"zh": "定时", "en": "timed"},
    "when": {"zh": "条件", "en": "condition"},
    "contingency": {"zh": "应急导调", "en": "contingency"},
}

INJECT_STATUS: dict[str, dict[str, str]] = {
    "met": {"zh": "按时完成", "en": "in time"},
    "already_done": {"zh": "此前已完成", "en": "already done"},
    "late": {"zh": "超时完成", "en": "late"},
    "missed": {"zh": "未完成", "en": "missed"},
    "open": {"zh": "推演结束时未到时限", "en": "open at the end"},
    "not_fired": {"zh": "未触发", "en": "not fired"},
    "no_expectation": {"zh": "无预期行动", "en": "no expected action"},
    "not_applicable": {"zh": "不适用（预案未分级）", "en": "not applicable (the plan has no levels)"},
}

ACTIONS: dict[str, dict[str, str]] = {
    "first_report": {"zh": "首次报告", "en": "first report"},
    "level_declared": {"zh": "宣布响应级别", "en": "level declared"},
    "level_raised": {"zh": "提升响应级别", "en": "level raised"},
    "plan_activated": {"zh": "启动预案", "en": "plan activated"},
    "dispatched": {"zh": "接令出动", "en": "ordered out"},
    "team_on_site": {"zh": "到达现场", "en": "on site"},
    "cordon_set": {"zh": "划定警戒区域", "en": "cordon set"},
    "targeted_intervention": {"zh": "劝离过激人员", "en": "agitators led aside"},
    "force_used": {"zh": "使用强制措施", "en": "force used"},
    "dialogue_started": {"zh": "开始接访对话", "en": "dialogue started"},
    "representatives_chosen": {"zh": "推选代表", "en": "representatives chosen"},
    "agreement": {"zh": "达成承诺", "en": "commitment"},
    "water_provided": {"zh": "提供饮用水", "en": "water provided"},
    "food_provided": {"zh": "提供食品", "en": "food provided"},
    "equipment_replaced": {"zh": "更换故障装备", "en": "equipment replaced"},
    "medical_attended": {"zh": "医疗救护到位", "en": "medical care"},
    "statement_issued": {"zh": "发布权威信息", "en": "official statement"},
    "report_sent": {"zh": "向上级报告", "en": "upward report"},
    "reinforcement_requested": {"zh": "请求增派警力", "en": "reinforcement requested"},
    "leader_on_site": {"zh": "涉事单位负责人到场", "en": "unit leader on site"},
    "top_leader_on_site": {"zh": "主要领导到场", "en": "top leader on site"},
    "cleared": {"zh": "现场疏散", "en": "site cleared"},
    "commander_on_site": {"zh": "指挥员到场", "en": "commander on site"},
    "first_response": {"zh": "先期处置", "en": "first response"},
    "rescue_deployed": {"zh": "铺设救生气垫", "en": "air cushion set up"},
    "talk_down_started": {"zh": "开始劝导轻生人员", "en": "talking with the person at risk"},
    "person_safe": {"zh": "轻生人员脱险", "en": "person at risk safe"},
    "psych_support": {"zh": "开展心理疏导", "en": "psychological support"},
    "evacuated": {"zh": "疏散无关群众", "en": "uninvolved public moved away"},
    "warning_detected": {"zh": "获悉预警信息", "en": "warning received"},
}

CAPABILITIES: dict[str, dict[str, str]] = {
    "command": {"zh": "指挥", "en": "command"},
    "order": {"zh": "秩序维护", "en": "public order"},
    "dialogue": {"zh": "接访对话", "en": "dialogue"},
    "persuasion": {"zh": "劝阻劝返", "en": "persuasion"},
    "logistics": {"zh": "后勤保障", "en": "logistics"},
    "medical": {"zh": "医疗救护", "en": "medical care"},
    "publicity": {"zh": "宣传", "en": "publicity"},
    "intel": {"zh": "信息收集", "en": "intelligence"},
    "monitoring": {"zh": "网络舆情监测", "en": "online monitoring"},
    "psych_support": {"zh": "心理疏导", "en": "psychological support"},
    "rescue": {"zh": "消防救援", "en": "rescue"},
    "evacuation": {"zh": "疏散无关群众", "en": "evacuation"},
}

CAUSE_WORDS: dict[str, dict[str, str]] = {
    "grievance": {"zh": "诉求积怨", "en": "grievance"},
    "waiting": {"zh": "久等无人接待", "en": "waiting unheard"},
    "provocation": {"zh": "个别人员煽动", "en": "provocation"},
    "force": {"zh": "强制措施", "en": "force"},
    "rumour": {"zh": "网络谣言", "en": "the rumour online"},
    "heat": {"zh": "高温", "en": "heat"},
    "thirst": {"zh": "缺少饮水", "en": "thirst"},
    "broken_promise": {"zh": "承诺未兑现", "en": "a broken promise"},
    "failed_talks": {"zh": "协商未果", "en": "failed talks"},
    "opposing_line": {"zh": "与现场处置人员对峙", "en": "facing the line"},
    "scuffle_over": {"zh": "推搡平息", "en": "the push subsiding"},
    "listened": {"zh": "有人接待倾听", "en": "being listened to"},
    "water": {"zh": "提供饮水", "en": "water"},
    "agreement": {"zh": "达成承诺", "en": "the agreement"},
    "removals": {"zh": "带离少数过激人员", "en": "instigators led aside"},
    "leaving": {"zh": "人员陆续离开", "en": "people leaving"},
    "calming": {"zh": "情绪逐渐平复", "en": "tempers cooling"},
    "legitimacy": {"zh": "信任回升", "en": "trust regained"},
}
"""Each :class:`sim.core.types.Cause` in words."""


CHALLENGES: dict[str, dict[str, str]] = {
    "slip_late": {"zh": "延误", "en": "late start"},
    "slip_incomplete": {"zh": "报告内容不全", "en": "incomplete report"},
    "message_late": {"zh": "信息迟到", "en": "late message"},
    "message_lost": {"zh": "信息丢失", "en": "lost message"},
    "message_misdirected": {"zh": "信息误送", "en": "misdirected message"},
    "equipment_failed": {"zh": "装备故障", "en": "equipment failure"},
    "equipment_shortage": {"zh": "装备短缺", "en": "equipment shortage"},
    "no_spare": {"zh": "装备故障后无人更换", "en": "no spare after a failure"},
    "talks_resumed": {"zh": "等待问题答复", "en": "waiting for answers to questions"},
    "force_used": {"zh": "使用强制措施", "en": "force used"},
    "health_incident": {"zh": "伤病员救护超时", "en": "late medical care"},
    "injury": {"zh": "伤病员救护超时", "en": "late medical care"},
}
