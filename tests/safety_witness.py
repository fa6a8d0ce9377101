"""An independent safety witness for the content pack: what each item makes the runner physically
do, and which of those things each injury must never be offered in each state.

Nothing here is read from the pack's `load_tags` or from conditions.yaml, and nothing is imported
from bot/. Every activity, exercise, session and nudge was classified by hand from its text (name,
steps, cues, block labels, habit text); the contraindication table was written from the clinical
guidelines cited beside each row. A test that walks the engine's offers and checks them against
this file therefore checks the pack's tags and rules against a second, separate reading.

Rules of the classification:
- The text decides. When a card's cue invites a progression ("when it's easy sitting, do it
  standing, then on one leg"; "too easy? use a lower chair"; "once easy on two legs, hold on one
  leg"), the progression is part of what the runner is told to do, so its features count.
- "Sit or stand" items count as seated: the card offers a legs-at-rest way to do them.
- A session's own features (SESSION_FEATURES) come from its title, block labels and cues, beyond
  the exercises it lists; the walker unions session + exercises + activity. A nudge's own features
  come from its habit text; the walker unions its linked exercise.
- Feature implications that follow from the definitions (a sprint is foot-strike impact, a
  standing exercise is leg work, ...) are applied by `_close`, written out in IMPLIES below.

Feature vocabulary (one line each; `FEATURES` is parsed from this list):
- `standing`: body weight through the legs and feet: standing, walking, anything on foot.
- `daily_standing`: a habit done while on one's feet in daily life anyway (hallway, lift).
- `single_leg_stance`: the whole body weight on one leg (one-leg stands, step-ups, raises).
- `rise_on_toes`: a dynamic calf raise while standing (heels rise and lower under body weight).
- `heavy_calf`: single-leg, weighted or off-a-step calf raises; hopping, springy push-offs.
- `seated_calf`: seated calf raises, or isometric calf holds (no repeated raise).
- `heel_below_toes`: loaded end-range dorsiflexion: heel drops, calf stretches, rowing catch.
- `hops_jumps`: any jump, hop, skip or bound (a flight phase and a landing).
- `impact`: foot-strike forces: running, jogging, court and chasing games, landings.
- `sprinting`: maximal or near-maximal running speed or accelerations.
- `cutting`: sharp changes of direction at speed (plant and turn, dodging, hop-and-back).
- `lateral_steps`: side-steps, shuffles, side lunges, band walks.
- `uphill_on_foot`: walking or running uphill (an incline ramp included).
- `downhill_on_foot`: walking or running downhill.
- `uneven_ground`: trails, roots, rough ground (on foot or on a mountain bike).
- `unstable_surface`: balancing on a cushion or towel, in a moving bus, walking backwards.
- `long_on_feet`: 60 minutes or more on foot in one go.
- `over_90_min`: a session lasting 90 minutes or more, whatever the activity.
- `knee_bend_loaded_past_60`: knee bent beyond about 60 degrees under body weight or load.
- `deep_knee_flexion`: knee bent beyond about 90 degrees under load (deep squat, rowing catch).
- `kneeling`: body weight through a knee on the floor or a pad (front or side of the knee).
- `knee_jump_load`: jumping or landing on a bending knee (patellar tendon energy storage).
- `stairs`: climbing or stepping up and down stairs or a step under body weight.
- `hamstring_lengthening`: hamstrings loaded at length: hinges, bent-over, one-leg bridges.
- `hamstring_fast`: hamstrings working fast: sprinting, kicking, pawing, ballistic hinges.
- `hip_compression`: thigh across the midline, crossed legs, side-lying, figure-four, side plank.
- `hip_flexor_loaded`: hip flexors working hard or stretched loaded: high knees, leg raises.
- `adductor_loaded`: groin loaded: side lunges, Copenhagen, sumo squats, cutting, whip kick.
- `breaststroke_kick`: the breaststroke whip kick (a swim that mixes strokes or names it).
- `swimming_kick`: any swimming leg kick.
- `pool_running`: deep-water running, feet off the bottom.
- `pool_access`: getting to and into a pool: a short walk on the deck, the steps into the water.
- `barefoot`: standing or moving barefoot.
- `leg_work`: any active leg work, in or out of water, seated or lying included.
- `leg_work_on_land`: active leg work out of the water: pedalling, rowing, leg exercises.
- `weight_on_toes`: part of the body weight through the toes in a plank or push-up.
- `cycling`: pedalling a bike or indoor bike.
- `cycling_standing_or_hard_climb`: standing on the pedals, or climbing in a big gear.
- `rowing_drive`: the legs drive a rowing stroke.
- `elliptical`: the elliptical trainer.
- `ski_machine`: the cross-country ski machine.
- `games`: ball, court and chasing games: reactive sprints, turns and lunges.
- `spinal_load`: compressive spinal load: carries, weights in front, on the back or overhead.
- `spinal_flexion_loaded`: rounding the lower back against load (crunches, ski-erg, rowing).
- `spinal_rotation_loaded`: twisting the trunk against load or gravity.
- `trunk_rotation`: any active twist of the trunk, even unloaded.
- `trunk_loaded`: trunk muscles holding the body against gravity (planks, bird dog, crunches).
- `ballistic`: fast swinging or throwing of a weight (kettlebell swings).
- `overhead_load`: holding or pressing a weight overhead.
- `upper_body_only`: seated or lying work, legs at rest (informative only; never forbidden).

States: acute (sore, irritable, daily life hurts), settling (calmer, daily life comfortable),
returning (getting back to running), protect (a warning sign is unresolved or pain is high: only
work that spares the injured area completely) and emergency (cauda equina, suspected DVT: nothing).
`forbidden` also accepts "none" (not injured, no warning sign, no pain): nothing is forbidden.
Condition None (not injured) forbids nothing in the three phases; with a warning sign (protect)
it gets the "not sure" protect rows, and emergency forbids everything for everyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# ------------------------------------------------------------------------------ vocabulary

FEATURES: frozenset[str] = frozenset(re.findall(r"^- `([a-z0-9_]+)`:", __doc__ or "", re.M))

# Definitional implications (X implies every feature listed), applied until nothing changes.
IMPLIES: dict[str, frozenset[str]] = {
    "sprinting": frozenset({"impact", "hamstring_fast", "hip_flexor_loaded", "standing"}),
    "hops_jumps": frozenset({"impact", "standing"}),
    "knee_jump_load": frozenset({"hops_jumps"}),
    "impact": frozenset({"standing"}),
    "cutting": frozenset({"standing", "adductor_loaded"}),
    "lateral_steps": frozenset({"standing"}),
    "rise_on_toes": frozenset({"standing"}),
    "single_leg_stance": frozenset({"standing"}),
    "uphill_on_foot": frozenset({"standing"}),
    "downhill_on_foot": frozenset({"standing"}),
    "long_on_feet": frozenset({"standing"}),
    "stairs": frozenset({"standing"}),
    "barefoot": frozenset({"standing"}),
    "elliptical": frozenset({"standing"}),
    "ski_machine": frozenset({"standing"}),
    "games": frozenset({"standing", "impact"}),
    "deep_knee_flexion": frozenset({"knee_bend_loaded_past_60"}),
    "knee_bend_loaded_past_60": frozenset({"leg_work_on_land"}),
    "standing": frozenset({"leg_work_on_land"}),
    "daily_standing": frozenset({"leg_work_on_land"}),
    "seated_calf": frozenset({"leg_work_on_land"}),
    "heavy_calf": frozenset({"leg_work"}),
    "heel_below_toes": frozenset({"leg_work_on_land"}),
    "cycling_standing_or_hard_climb": frozenset({"cycling"}),
    "cycling": frozenset({"leg_work_on_land"}),
    "rowing_drive": frozenset({"leg_work_on_land"}),
    "leg_work_on_land": frozenset({"leg_work"}),
    "breaststroke_kick": frozenset({"swimming_kick", "adductor_loaded"}),
    "swimming_kick": frozenset({"leg_work"}),
    "pool_running": frozenset({"leg_work"}),
    "hamstring_lengthening": frozenset({"leg_work"}),
    "hamstring_fast": frozenset({"leg_work"}),
    "hip_flexor_loaded": frozenset({"leg_work"}),
    "adductor_loaded": frozenset({"leg_work"}),
    "spinal_rotation_loaded": frozenset({"trunk_rotation"}),
}


def _close(features: Iterable[str]) -> frozenset[str]:
    out = set(features)
    unknown = out - FEATURES
    if unknown:
        raise ValueError(f"unknown witness features: {sorted(unknown)}")
    changed = True
    while changed:
        changed = False
        for feature in list(out):
            extra = IMPLIES.get(feature, frozenset()) - out
            if extra:
                out |= extra
                changed = True
    return frozenset(out)


def _table(raw: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    return {key: _close(value) for key, value in raw.items()}


def _f(*names: str) -> frozenset[str]:
    return frozenset(names)


# ------------------------------------------------------------------------------ activities
# What doing the activity at all entails (its sessions add their own features).

ACTIVITY_FEATURES: dict[str, frozenset[str]] = _table({
    # Every stride is a single-leg landing and push-off.
    "running": _f("impact", "single_leg_stance", "rise_on_toes"),
    "road_bike": _f("cycling"),
    "turbo": _f("cycling"),
    # Trails: roots and rough ground, standing on the pedals for rough sections and steep climbs.
    "mountain_bike": _f("cycling", "uneven_ground", "cycling_standing_or_hard_climb"),
    # Kicking depends on the session (a pull buoy rests the legs); any pool means getting there.
    "swimming": _f("pool_access"),
    "pool_running": _f("pool_running", "pool_access"),
    "elliptical": _f("elliptical"),
    # A standing double-pole: hinge and crunch down against the cable.
    "ski_erg": _f("ski_machine", "spinal_flexion_loaded", "trunk_loaded"),
    # The catch: knees and hips deeply bent, shins vertical (ankles at end-range dorsiflexion),
    # the lower back rounding, and the drive starts from there under the stroke's peak force.
    "rowing": _f("rowing_drive", "deep_knee_flexion", "heel_below_toes", "spinal_flexion_loaded"),
    "walking": _f("standing"),
    # Hiking means trails, and walking up and down hills ("walking up and down hills", name).
    "hiking": _f("standing", "uneven_ground", "uphill_on_foot", "downhill_on_foot"),
    "strength": _f(),
    "core": _f(),
    "balance_agility": _f("standing"),
    "mobility": _f(),
    "seated_cardio": _f("upper_body_only"),
    # Court sports: split-steps and jumps, lunges deep to the net/corners, explosive push-offs.
    "badminton": _f("games", "sprinting", "cutting", "lateral_steps", "hops_jumps",
                    "knee_jump_load", "deep_knee_flexion", "rise_on_toes", "heavy_calf",
                    "single_leg_stance", "adductor_loaded", "hip_flexor_loaded"),
    "squash": _f("games", "sprinting", "cutting", "lateral_steps", "hops_jumps",
                 "knee_jump_load", "deep_knee_flexion", "rise_on_toes", "heavy_calf",
                 "single_leg_stance", "adductor_loaded", "hip_flexor_loaded"),
    # Chasing, dodging, racing a dog: sprints and sudden turns.
    "tag_and_catch": _f("games", "sprinting", "cutting", "lateral_steps", "rise_on_toes",
                        "heavy_calf"),
})

# ------------------------------------------------------------------------------ exercises

EXERCISE_FEATURES: dict[str, frozenset[str]] = _table({
    # squats -- a firm chair puts the knee at ~90 deg at seat-off; the cue offers a lower chair.
    "sit_to_stand": _f("standing", "knee_bend_loaded_past_60", "deep_knee_flexion"),
    "bodyweight_squat": _f("standing", "deep_knee_flexion"),  # "as low as you can"
    "goblet_squat": _f("standing", "deep_knee_flexion", "spinal_load"),
    # Wide stance toes out (sumo), thighs to level, dumbbell held overhead.
    "sumo_squat_overhead": _f("standing", "deep_knee_flexion", "adductor_loaded",
                              "overhead_load", "spinal_load", "trunk_loaded"),
    "wall_sit": _f("standing", "knee_bend_loaded_past_60"),  # "no lower than 90 degrees"
    "shallow_wall_sit": _f("standing"),  # "about a third of a right angle", well above a chair
    # lunges -- back knee to the floor: front knee ~90 deg+, back hip flexors stretched loaded.
    "split_squat": _f("standing", "deep_knee_flexion", "hip_flexor_loaded"),
    "forward_lunge": _f("standing", "deep_knee_flexion", "hip_flexor_loaded"),
    "reverse_lunge": _f("standing", "deep_knee_flexion", "hip_flexor_loaded"),
    "walking_lunge": _f("standing", "deep_knee_flexion", "hip_flexor_loaded"),
    # Turn the chest at the bottom; "hold a light weight at your chest".
    "walking_lunge_rotation": _f("standing", "deep_knee_flexion", "hip_flexor_loaded",
                                 "spinal_rotation_loaded"),
    # calves, shins and feet
    "seated_calf_raise": _f("seated_calf"),
    "seated_calf_hold": _f("seated_calf"),  # heels lifted halfway while sitting, held
    # Rise halfway onto the toes and hold still (isometric); the cue moves it to one leg.
    "isometric_calf_hold": _f("standing", "seated_calf", "single_leg_stance"),
    "double_leg_calf_raise": _f("standing", "rise_on_toes"),
    "single_leg_calf_raise": _f("standing", "rise_on_toes", "heavy_calf", "single_leg_stance"),
    # "Stand on one or both legs"; "start on two legs, then move to one".
    "bent_knee_calf_raise": _f("standing", "rise_on_toes", "heavy_calf", "single_leg_stance"),
    "heavy_slow_calf_raise": _f("standing", "rise_on_toes", "heavy_calf", "single_leg_stance"),
    "calf_raise_off_step": _f("standing", "rise_on_toes", "heavy_calf", "single_leg_stance",
                              "heel_below_toes"),
    "tibialis_raise": _f("standing"),  # leaning on a wall, weight on the heels
    # Seated, but the cue: "when it's easy sitting, do it standing, then on one leg".
    "short_foot": _f("leg_work_on_land", "standing", "single_leg_stance"),
    "pogo_hops": _f("hops_jumps", "rise_on_toes", "heavy_calf"),  # knees nearly straight
    # Two feet, or one ("a big step up"); sideways and straight back, knees bending to land.
    "lateral_hops": _f("hops_jumps", "knee_jump_load", "rise_on_toes", "heavy_calf",
                       "lateral_steps", "cutting", "single_leg_stance"),
    # glutes and hips -- side-lying, both sides done: one side lies on each hip.
    "clamshell": _f("hip_compression", "leg_work_on_land"),
    "side_lying_leg_raise": _f("hip_compression", "leg_work_on_land"),
    "lying_straight_leg_raise": _f("hip_flexor_loaded", "leg_work_on_land"),
    "prone_hip_extension": _f("leg_work_on_land"),
    "glute_bridge": _f("leg_work_on_land"),
    "single_leg_bridge": _f("hamstring_lengthening", "leg_work_on_land"),
    "band_side_step": _f("standing", "lateral_steps"),
    "monster_walk": _f("standing", "lateral_steps"),  # wide diagonal steps in a quarter squat
    "hip_hinge": _f("standing", "hamstring_lengthening"),  # "stop when you feel a stretch"
    "single_leg_rdl": _f("standing", "single_leg_stance", "hamstring_lengthening"),
    "hip_airplane": _f("standing", "single_leg_stance", "hamstring_lengthening"),
    # A stair or sturdy step: the working knee bends to ~60-70 deg as it takes the body weight.
    "step_up": _f("standing", "stairs", "single_leg_stance", "knee_bend_loaded_past_60"),
    "lateral_step_down": _f("standing", "stairs", "single_leg_stance",
                            "knee_bend_loaded_past_60"),
    "nordic_hamstring_curl": _f("kneeling", "hamstring_lengthening", "leg_work_on_land"),
    # balance
    "tandem_stand": _f("standing"),
    "single_leg_stand": _f("standing", "single_leg_stance"),
    "single_leg_stand_eyes_closed": _f("standing", "single_leg_stance"),
    "single_leg_stand_cushion": _f("standing", "single_leg_stance", "unstable_surface"),
    "single_leg_mini_squat": _f("standing", "single_leg_stance"),  # a quarter squat at most
    "balance_catch": _f("standing", "single_leg_stance"),
    # core
    "knee_plank": _f("kneeling", "trunk_loaded"),
    "plank": _f("weight_on_toes", "trunk_loaded"),
    # Propped on the forearm and the side of the bent knees, hips lifted.
    "side_plank_knees": _f("kneeling", "hip_compression", "trunk_loaded"),
    "side_plank": _f("hip_compression", "trunk_loaded", "leg_work_on_land"),
    # Top knee (short) or ankle (long) on a seat, lying on the side, hips lifted.
    "copenhagen_plank_short": _f("adductor_loaded", "hip_compression", "trunk_loaded",
                                 "leg_work_on_land"),
    "copenhagen_plank": _f("adductor_loaded", "hip_compression", "trunk_loaded",
                           "leg_work_on_land"),
    "crunch": _f("spinal_flexion_loaded", "trunk_loaded"),
    "oblique_crunch": _f("spinal_flexion_loaded", "spinal_rotation_loaded", "trunk_loaded"),
    # Legs held at 90/90 and lowered one at a time: hip flexors hold the leg's weight.
    "dead_bug": _f("hip_flexor_loaded", "trunk_loaded", "leg_work_on_land"),
    "bird_dog": _f("kneeling", "trunk_loaded", "leg_work_on_land"),
    "superman": _f("trunk_loaded", "leg_work_on_land"),  # arms, chest and legs lifted
    "pallof_press": _f("standing", "trunk_loaded"),
    # upper body: kettlebell and dumbbells
    # A kettlebell between the feet: a loaded hinge that needs a good knee bend to reach it.
    "kettlebell_deadlift": _f("standing", "hamstring_lengthening", "spinal_load",
                              "knee_bend_loaded_past_60"),
    "kettlebell_swing": _f("standing", "hamstring_lengthening", "hamstring_fast", "ballistic",
                           "spinal_load"),
    "kettlebell_halo": _f("upper_body_only"),  # "sit or stand", light, around the head
    "kettlebell_press": _f("standing", "overhead_load", "spinal_load"),
    "seated_dumbbell_press": _f("overhead_load", "upper_body_only"),
    "dumbbell_overhead_press": _f("standing", "overhead_load", "spinal_load"),
    # Hand on a chair seat carries the trunk; staggered stance on the feet.
    "supported_dumbbell_row": _f("standing"),
    "bent_over_dumbbell_row": _f("standing", "hamstring_lengthening", "spinal_load"),
    # upper body: bodyweight and band
    "wall_push_up": _f("standing"),
    "incline_push_up": _f("standing", "weight_on_toes", "trunk_loaded"),  # feet walked back
    "knee_push_up": _f("kneeling", "trunk_loaded"),
    "push_up": _f("weight_on_toes", "trunk_loaded"),
    "push_up_shoulder_tap": _f("weight_on_toes", "trunk_loaded"),
    "prone_y_t_raise": _f("upper_body_only"),
    "band_pull_apart": _f("upper_body_only"),  # "sit or stand"
    # Long sitting, legs straight, band round the soles: the feet anchor the pull and the
    # hamstrings sit at length (the cue itself warns about them).
    "seated_band_row": _f("hamstring_lengthening", "leg_work_on_land"),
    # arm cardio: seated or lying, legs at rest
    "seated_straight_punches": _f("upper_body_only"),
    "seated_running_arms": _f("upper_body_only"),
    "seated_overhead_punches": _f("upper_body_only"),  # no weight
    "seated_arm_jacks": _f("upper_body_only"),
    "seated_hooks_uppercuts": _f("upper_body_only", "trunk_rotation"),
    "lying_ceiling_punches": _f("upper_body_only"),
    # seated and lying upper body, legs at rest
    "seated_upper_back_stretch": _f("upper_body_only"),
    "seated_shoulder_blade_squeeze": _f("upper_body_only"),
    "seated_palm_press": _f("upper_body_only"),
    "seated_towel_pull": _f("upper_body_only"),  # isometric; towel overhead is unweighted
    # Lying, feet resting, lower back pressed to the floor while the arms move.
    "arms_only_dead_bug": _f("upper_body_only", "trunk_loaded"),
    "floor_snow_angel": _f("upper_body_only"),
    "seated_biceps_curl": _f("upper_body_only"),
    "seated_lateral_raise": _f("upper_body_only"),  # hands never above the shoulders
    "seated_band_chest_press": _f("upper_body_only"),
    "chair_band_row": _f("upper_body_only"),  # band anchored in a door, legs rest
    # running drills and agility
    # Knee to hip height, rising onto the toes of the standing foot: a one-leg toe rise per step.
    "a_march": _f("standing", "single_leg_stance", "rise_on_toes", "heavy_calf",
                  "hip_flexor_loaded"),
    "a_skip": _f("hops_jumps", "single_leg_stance", "rise_on_toes", "heavy_calf",
                 "hip_flexor_loaded"),
    # Kick the lower leg out and paw it back: hamstrings fast and at length.
    "b_skip": _f("hops_jumps", "single_leg_stance", "rise_on_toes", "heavy_calf",
                 "hip_flexor_loaded", "hamstring_fast", "hamstring_lengthening"),
    # Half squat, quick side shuffles on the balls of the feet, plant and shuffle back.
    "lateral_shuffle": _f("impact", "lateral_steps", "cutting", "rise_on_toes",
                          "adductor_loaded"),
    # Run, shuffle both ways, backpedal: sprint accelerations and hard plants.
    "t_drill": _f("sprinting", "cutting", "lateral_steps", "rise_on_toes", "heavy_calf"),
    # mobility and breathing
    "box_breathing": _f("upper_body_only"),
    # Lying on the side, knees bent up to hip height and together, upper back turning.
    "thoracic_open_book": _f("upper_body_only", "hip_compression", "trunk_rotation"),
    "cat_cow": _f("kneeling"),
    "arm_circles": _f("upper_body_only"),  # "sit or stand"
    # Kneeling, hips pushed forward: the front-of-hip muscles stretched under body weight.
    "hip_flexor_stretch": _f("kneeling", "hip_flexor_loaded"),
    "wall_calf_stretch": _f("standing", "heel_below_toes"),
    # Ankle over the opposite knee, thigh pulled in: the glute/lateral hip compressed.
    "figure_four_stretch": _f("hip_compression", "leg_work_on_land"),
    # Forward-back and across-the-body swings on one standing leg.
    "leg_swings": _f("standing", "single_leg_stance", "hamstring_lengthening",
                     "hip_flexor_loaded", "adductor_loaded", "hip_compression"),
})

# ------------------------------------------------------------------------------ sessions
# Only what the session's title, labels and cues add beyond its activity and listed exercises.

SESSION_FEATURES: dict[str, frozenset[str]] = _table({
    "turbo_express_15": _f(),  # quick pedalling, "not a huge gear"
    "turbo_intervals_1min": _f(),
    "turbo_intervals_3min": _f(),
    "turbo_tempo": _f(),  # "stay seated"
    "turbo_hill_climbs": _f("cycling_standing_or_hard_climb"),  # "seated climb in a bigger gear"
    "turbo_easy_spin": _f(),
    "turbo_long_steady": _f(),  # 60 min seated
    "road_tempo_ride": _f(),
    "road_hill_repeats": _f("cycling_standing_or_hard_climb"),  # "mix seated and standing"
    "road_long_ride": _f("over_90_min"),  # 120 min
    "road_steady_hour": _f(),
    "mtb_skills_ride": _f("uneven_ground"),  # "riding over roots", "mixed terrain"
    # "mixing strokes", "any stroke"
    "swim_key_session": _f("breaststroke_kick"),
    "swim_easy_recovery": _f("swimming_kick"),  # stroke not named: the legs kick
    "swim_crawl_intervals": _f("swimming_kick"),  # crawl and backstroke, flutter kick
    "seated_calf_start": _f(),  # all seated; the exercises carry the calf work
    # "mixing strokes", "easy backstroke or breaststroke"
    "swim_long_steady": _f("breaststroke_kick"),
    # "Front crawl or backstroke arms", float between the thighs, glide gently off the wall.
    "swim_pull_buoy": _f("upper_body_only"),
    "pool_run_easy": _f(),
    # Fast turnover with the knees driving against the water: hip flexors work hard.
    "pool_run_intervals": _f("hip_flexor_loaded"),
    "pool_run_tempo": _f("hip_flexor_loaded"),  # 3 x 8 min comfortably hard, brisk rhythm
    "pool_run_long": _f(),  # 60 min in the water: not on feet
    "elliptical_easy": _f(),
    "elliptical_intervals": _f(),  # "resistance rather than a steep ramp"
    "elliptical_tempo": _f(),
    "elliptical_long": _f(),  # 45 min
    "ski_steady": _f(),
    "ski_intervals": _f(),
    "row_express_15": _f(),
    "row_intervals": _f(),
    "row_tempo": _f(),
    "row_steady": _f(),
    "brisk_walk_surges": _f(),
    "brisk_walk": _f(),  # flat ground, 30 min
    "long_brisk_walk": _f(),  # 45 min, mostly flat
    "hill_walk_repeats": _f("uphill_on_foot", "downhill_on_foot"),  # up 3 min, walk down
    "family_hike": _f("long_on_feet", "over_90_min"),  # 90 min, gentle ups and downs
    "long_hike": _f("long_on_feet", "over_90_min"),  # 150 min, climbs and descents
    "lower_body_l1": _f(),
    "lower_body_l2": _f(),
    # Cool-down "Stretch hips, glutes and calves": a standing calf stretch is not listed but named.
    "lower_body_l3": _f("heel_below_toes", "standing"),
    "calf_l1": _f(),  # arch lifts and ankle circles sitting
    "calf_l2": _f("standing"),  # "easy walking and ankle circles"
    "calf_l3": _f("standing"),
    "knee_control_step": _f(),
    # Heel slides lying down; shallow wall sit (~30 deg), leg raises, bridges: all under 60 deg.
    "knee_friendly_strength": _f("leg_work_on_land"),
    "office_strength_snack": _f("standing"),  # "March on the spot"
    "glutes_l1": _f("leg_work_on_land"),  # knee rocks lying on the back
    "glutes_l2": _f(),
    "glutes_l3": _f(),
    "core_l1": _f(),
    "core_l2": _f(),
    "core_l3": _f(),
    "kettlebell_l1": _f(),
    "kettlebell_l2": _f(),
    "kettlebell_l3": _f("ballistic"),  # "easy swings" in the warm-up
    "dumbbell_upper_l1": _f(),
    "dumbbell_upper": _f(),
    "seated_upper_band": _f(),
    "bodyweight_upper_l1": _f(),
    "bodyweight_upper_l2": _f(),
    "bodyweight_upper_l3": _f(),
    "breathing_mobility": _f(),
    "seated_cardio_l1": _f(),
    "seated_boxing_intervals": _f(),
    "lying_arm_cardio": _f(),
    "lying_leg_strength": _f("leg_work_on_land"),  # ankle circles and knee bends lying
    # Chair or floor, legs resting: upper body and gentle trunk only.
    "seated_arm_circuit_10": _f(),
    "seated_breathing_upper_back": _f(),
    "seated_upper_strength_15": _f(),
    "lying_trunk_upper_15": _f(),
    "seated_dumbbell_upper": _f(),
    "seated_band_upper": _f(),
    "balance_l1": _f("barefoot"),  # "Barefoot, next to a worktop"; walking around the room
    "balance_l2": _f(),
    "agility_l1": _f(),  # brisk walk, marching
    "agility_l2": _f("impact"),  # "Easy jog or brisk walk"
    # "throw, chase, change direction", "race to the ball"
    "catch_and_fetch": _f("sprinting", "cutting"),
    "tag_game": _f("hops_jumps", "sprinting", "cutting"),  # "walk, skip and jog"; dodging
    "badminton_agility": _f("rise_on_toes"),  # "stay on your toes"
    "squash_agility": _f(),
})

# ------------------------------------------------------------------------------ nudges
# What the habit text makes the runner do (its linked exercise is unioned by the walker).

NUDGE_FEATURES: dict[str, frozenset[str]] = _table({
    "brush_one_leg": _f("single_leg_stance"),
    "brush_one_leg_eyes_closed": _f("single_leg_stance"),
    "brush_one_leg_towel": _f("single_leg_stance", "unstable_surface"),
    "washing_up_one_leg": _f("single_leg_stance"),
    "washing_up_one_leg_knee_bend": _f("single_leg_stance"),  # small, slow knee bends
    "washing_up_calf_raises": _f("rise_on_toes"),
    "washing_up_single_calf_raises": _f("rise_on_toes", "heavy_calf", "single_leg_stance"),
    "kettle_squats": _f("knee_bend_loaded_past_60"),  # slow squats, "as low as feels fine"
    "kettle_split_squats": _f("deep_knee_flexion", "hip_flexor_loaded"),
    "kettle_calf_hold": _f("standing", "seated_calf"),  # rise halfway and hold still
    "microwave_wall_sit": _f("standing"),  # "a shallow wall sit", higher is easier
    # Standing without holding on in a moving bus or train: braking and corners perturb balance.
    "commute_stand_no_hold": _f("standing", "unstable_surface"),
    "commute_feet_together": _f("standing", "unstable_surface"),
    "lift_wait_heel_to_toe": _f("daily_standing"),  # waiting for the lift anyway
    "catch_weaker_hand": _f("daily_standing"),  # already playing catch
    "catch_on_one_leg": _f("single_leg_stance"),
    "tag_burst": _f("games", "sprinting", "cutting", "lateral_steps"),
    "fetch_race": _f("games", "sprinting"),
    "stairs_whole_foot": _f("stairs", "single_leg_stance"),
    # Two stairs at a time: a tall step-up, knee and hip bent past 90 under body weight.
    "stairs_two_at_a_time": _f("stairs", "single_leg_stance", "deep_knee_flexion",
                               "hip_flexor_loaded"),
    # Fast alternating foot taps onto a step on the forefoot.
    "stairs_quick_feet": _f("stairs", "impact", "rise_on_toes"),
    "socks_on_one_leg": _f("single_leg_stance"),
    "floor_pickup_hinge": _f("single_leg_stance", "hamstring_lengthening"),
    "hallway_heel_toe": _f("daily_standing"),  # walking down the hallway anyway
    "hallway_heel_toe_backwards": _f("daily_standing", "unstable_surface"),  # backwards
    "sock_juggle": _f("upper_body_only"),
    # Already carrying the shopping; the habit is posture during a loaded carry.
    "shopping_tall_carry": _f("daily_standing", "spinal_load"),
    "desk_sit_to_stand": _f("knee_bend_loaded_past_60"),  # desk chair, no hands
    "desk_slow_sit_to_stand": _f("knee_bend_loaded_past_60"),
    # Rising from a chair on one leg: ~90 deg of knee bend on one leg.
    "desk_single_leg_sit_to_stand": _f("single_leg_stance", "deep_knee_flexion"),
    "desk_seated_calf_raises": _f("seated_calf"),
    "desk_seated_twist": _f("upper_body_only", "trunk_rotation"),
    "desk_ankle_alphabet": _f("leg_work_on_land"),  # seated ankle circles
    "tv_ad_bridges": _f("leg_work_on_land"),
    "tv_ad_single_leg_bridges": _f("hamstring_lengthening", "leg_work_on_land"),
    "tv_ad_clams": _f("hip_compression", "leg_work_on_land"),
    "tv_ad_plank": _f("weight_on_toes", "kneeling", "trunk_loaded"),  # "on my knees if I need to"
    "tv_ad_side_plank": _f("hip_compression", "kneeling", "trunk_loaded"),  # "drop to your knees"
    "tv_ad_copenhagen": _f("adductor_loaded", "hip_compression", "trunk_loaded"),
    "wake_up_bridges": _f("leg_work_on_land"),
    "shower_calf_stretch": _f("heel_below_toes", "standing"),
    "doorway_chest_stretch": _f("daily_standing"),  # walking into the kitchen, leaning
    "bedtime_breathing": _f("upper_body_only"),
})

# ------------------------------------------------------------------------------ /convert

_ON_FOOT = frozenset({"running", "walking", "hiking", "elliptical", "ski_erg", "balance_agility",
                      "badminton", "squash", "tag_and_catch"})
_BIKES = frozenset({"road_bike", "turbo", "mountain_bike"})
RUN_TYPES = ("recovery", "easy", "tempo", "intervals", "hills", "long")


def converted_features(activity_id: str, run_type: str, minutes: int) -> frozenset[str]:
    """Features of a planned run rebuilt on `activity_id` (`minutes` = the converted session's
    total minutes on the new activity). An unknown activity raises KeyError (unclassified)."""
    if run_type not in RUN_TYPES:
        raise ValueError(f"unknown run type {run_type!r}")
    features = set(ACTIVITY_FEATURES[activity_id])
    if activity_id == "swimming":
        features.add("swimming_kick")  # a converted swim names no pull buoy: the legs kick
    if run_type == "hills":
        if activity_id in ("walking", "hiking", "running"):
            # Hill reps on foot: up, then back down between reps.
            features |= {"uphill_on_foot", "downhill_on_foot"}
        elif activity_id == "elliptical":
            features.add("uphill_on_foot")  # a steep ramp (and calf load) stands in for the hill
        elif activity_id in _BIKES:
            features.add("cycling_standing_or_hard_climb")
    if run_type in ("tempo", "intervals", "hills") and activity_id == "pool_running":
        features.add("hip_flexor_loaded")  # hard efforts: quick turnover, knees driving
    if run_type == "intervals" and activity_id == "running":
        features.add("sprinting")
    on_foot = activity_id in _ON_FOOT or "standing" in features
    if on_foot and minutes >= 60:
        features.add("long_on_feet")
    if minutes >= 90:
        features.add("over_90_min")
    return _close(features)


def offering_features(*, activity: str | None = None, session: str | None = None,
                      exercises: Iterable[str] = (), nudge: str | None = None) -> frozenset[str]:
    """The union the walker needs for one offer (KeyError for anything unclassified)."""
    out: set[str] = set()
    if activity is not None:
        out |= ACTIVITY_FEATURES[activity]
    if session is not None:
        out |= SESSION_FEATURES[session]
    for exercise in exercises:
        out |= EXERCISE_FEATURES[exercise]
    if nudge is not None:
        out |= NUDGE_FEATURES[nudge]
    return frozenset(out)


# ------------------------------------------------------------------------------ states, conditions

STATES = ("acute", "settling", "returning", "protect", "emergency")
PHASES = ("acute", "settling", "returning")

INJURY_CONDITIONS = (
    "bone_stress_injury", "achilles_midportion", "achilles_insertional", "plantar_heel_pain",
    "itb_syndrome", "patellofemoral_pain", "patellar_tendinopathy", "shin_splints", "calf_strain",
    "hamstring_strain", "ankle_sprain", "hip_glute_pain", "adductor_strain", "hip_flexor_strain",
    "knee_pain_unsure", "low_back_pain", "not_sure",
)
CONDITIONS_INJURED = INJURY_CONDITIONS
CONDITIONS: tuple[str | None, ...] = (*INJURY_CONDITIONS, None)  # None = not injured

# Emergency: no exercise at all. The marker is the forbidden set; `contraindications` flags any
# offer with it.
ANY_EXERCISE = "any_exercise"
FORBID_ALL: frozenset[str] = frozenset({ANY_EXERCISE})

_KNEE = frozenset({"itb_syndrome", "patellofemoral_pain", "patellar_tendinopathy",
                   "knee_pain_unsure"})
_HIP_GROIN = frozenset({"hip_glute_pain", "adductor_strain", "hip_flexor_strain"})

# ---- the phases, condition by condition (returning stays permissive: the bot adds work back
# ---- gradually there, so only what the guideline still rules out is listed)

_PHASE_ROWS: dict[tuple[str, str], frozenset[str]] = {
    # Bone stress injury. Liem, Truswell & Harrast 2013 (phase 1: pain-free daily walking only,
    # cross-train non-weight-bearing: deep-water running, swimming, cycling if pain-free);
    # Warden 2014 and George 2024 (activity must be pain-free; impact only in a return-to-run
    # plan, hopping tested before walk-run, speed and agility last).
    ("bone_stress_injury", "acute"): _f(
        "standing", "single_leg_stance", "rise_on_toes", "heavy_calf",
        "hops_jumps", "knee_jump_load", "impact", "sprinting", "cutting", "lateral_steps",
        "games", "uphill_on_foot", "downhill_on_foot", "uneven_ground", "unstable_surface",
        "long_on_feet", "stairs", "barefoot", "elliptical", "ski_machine",
        "cycling_standing_or_hard_climb"),  # standing on the pedals = body weight through the bone
    # Liem 2013 phase 2 (progressive pain-free weight bearing, no impact), George 2024.
    ("bone_stress_injury", "settling"): _f(
        "heavy_calf", "hops_jumps", "knee_jump_load", "impact", "sprinting", "cutting", "games",
        "downhill_on_foot", "uneven_ground", "long_on_feet", "over_90_min"),
    # George 2024: walk-run first; hops, sprints and agility come last.
    ("bone_stress_injury", "returning"): _f(
        "sprinting", "hops_jumps", "knee_jump_load", "cutting", "games"),

    # Achilles mid-portion. Silbernagel 2007 (pain-monitoring model; springy and fast loading
    # reintroduced last), Merry 2022 and Martin 2018 JOSPT CPG (load management while
    # irritable), Cook & Purdam 2009 (energy-storage loads last). Acute = daily life hurts, so
    # running and games already break the pain-monitoring model.
    ("achilles_midportion", "acute"): _f(
        "heavy_calf", "hops_jumps", "knee_jump_load", "impact", "sprinting", "cutting", "games",
        "uphill_on_foot"),
    ("achilles_midportion", "settling"): _f(
        "heavy_calf", "hops_jumps", "knee_jump_load", "sprinting", "cutting", "games"),
    ("achilles_midportion", "returning"): _f(),  # Silbernagel 2007: all within the pain model

    # Achilles insertional. As mid-portion plus Goom (running-physio.com): no end-range
    # dorsiflexion (heel drops off a step, calf stretches, uphill) while it is irritable;
    # flat shoes and barefoot lower the heel (heel lifts are advised early).
    ("achilles_insertional", "acute"): _f(
        "heavy_calf", "hops_jumps", "knee_jump_load", "impact", "sprinting", "cutting", "games",
        "uphill_on_foot", "heel_below_toes", "barefoot"),
    ("achilles_insertional", "settling"): _f(
        "heavy_calf", "hops_jumps", "knee_jump_load", "sprinting", "cutting", "games",
        "uphill_on_foot", "heel_below_toes"),
    ("achilles_insertional", "returning"): _f(),

    # Plantar heel pain. Martin et al. JOSPT heel pain CPG 2014 / Koc et al. 2023 revision:
    # supportive footwear (no barefoot), modify running volume and prolonged standing while
    # irritable; calf/plantar stretching and heel-raise strength are treatments (allowed).
    ("plantar_heel_pain", "acute"): _f(
        "barefoot", "hops_jumps", "knee_jump_load", "impact", "sprinting", "cutting", "games",
        "long_on_feet"),
    ("plantar_heel_pain", "settling"): _f("barefoot", "hops_jumps", "knee_jump_load"),
    ("plantar_heel_pain", "returning"): _f(),

    # IT band syndrome. Fredericson & Weir 2006: acute relative rest from running; downhill
    # running aggravates (knee ~30 deg under load) and is avoided also on return; plyometrics
    # are the last stage. Breaststroke kick: knee, hip and groin conditions in every phase (the
    # coaching notes: it often aggravates knee and groin pain; swap to a pull buoy or flutter kick).
    ("itb_syndrome", "acute"): _f(
        "impact", "sprinting", "hops_jumps", "knee_jump_load", "cutting", "games",
        "downhill_on_foot", "breaststroke_kick"),
    ("itb_syndrome", "settling"): _f(
        "hops_jumps", "knee_jump_load", "downhill_on_foot", "breaststroke_kick"),
    ("itb_syndrome", "returning"): _f("downhill_on_foot", "breaststroke_kick"),

    # Patellofemoral pain. Willy et al. JOSPT CPG 2019 (early knee exercise ~0-60 deg; deep
    # loaded flexion, kneeling later), Collins 2018 consensus, Esculier 2020 (stairs, downhill,
    # jumping and running modified by symptoms). Hard big-gear/standing cycling and the rowing
    # catch load the patellofemoral joint in deep flexion.
    ("patellofemoral_pain", "acute"): _f(
        "knee_bend_loaded_past_60", "deep_knee_flexion", "kneeling", "hops_jumps",
        "knee_jump_load", "downhill_on_foot", "stairs", "impact", "sprinting", "cutting",
        "games", "breaststroke_kick", "cycling_standing_or_hard_climb"),
    ("patellofemoral_pain", "settling"): _f(
        "deep_knee_flexion", "hops_jumps", "knee_jump_load", "downhill_on_foot",
        "breaststroke_kick"),
    ("patellofemoral_pain", "returning"): _f("breaststroke_kick"),

    # Patellar tendinopathy. Malliaras et al. Sports Med 2015 (isometric -> isotonic ->
    # energy storage -> sport), Cook & Purdam 2009; kneeling and deep loaded flexion compress the
    # irritable tendon early.
    ("patellar_tendinopathy", "acute"): _f(
        "knee_jump_load", "hops_jumps", "impact", "sprinting", "cutting", "games",
        "deep_knee_flexion", "kneeling", "downhill_on_foot", "breaststroke_kick"),
    ("patellar_tendinopathy", "settling"): _f(
        "knee_jump_load", "hops_jumps", "sprinting", "cutting", "games", "breaststroke_kick"),
    ("patellar_tendinopathy", "returning"): _f("breaststroke_kick"),

    # Shin splints (MTSS). Moen et al. 2012 (relative rest from running, graded return),
    # Winters 2013; hills and hard surfaces aggravate; rule out bone stress first.
    ("shin_splints", "acute"): _f(
        "impact", "hops_jumps", "knee_jump_load", "sprinting", "cutting", "games",
        "uphill_on_foot", "downhill_on_foot", "long_on_feet"),
    ("shin_splints", "settling"): _f(
        "hops_jumps", "knee_jump_load", "sprinting", "games", "downhill_on_foot"),
    ("shin_splints", "returning"): _f(),

    # Calf strain. Green et al. 2022 (and Green & Pizzari 2017): early loading is seated
    # (soleus) and isometric; standing and single-leg raises, running, hills, speed and
    # plyometrics are staged in later; no aggressive stretching of a fresh strain.
    ("calf_strain", "acute"): _f(
        "rise_on_toes", "heavy_calf", "heel_below_toes", "sprinting", "hops_jumps",
        "knee_jump_load", "impact", "cutting", "games", "uphill_on_foot",
        "cycling_standing_or_hard_climb"),
    ("calf_strain", "settling"): _f(
        "sprinting", "hops_jumps", "knee_jump_load", "cutting", "games"),
    ("calf_strain", "returning"): _f(),

    # Hamstring strain. Heiderscheit et al. JOSPT 2010: phase 1 avoids lengthening loads and
    # speed (only low-speed agility), phase 2 adds mid-range eccentrics and jogging, phase 3
    # high speed. Askling 2013 on lengthening exercise comes after the first phase.
    ("hamstring_strain", "acute"): _f(
        "hamstring_lengthening", "hamstring_fast", "sprinting", "impact", "cutting", "games"),
    ("hamstring_strain", "settling"): _f("hamstring_fast", "sprinting", "games"),
    ("hamstring_strain", "returning"): _f(),

    # Ankle sprain. Martin et al. JOSPT lateral ankle sprain CPG 2021 (Vuurberg 2018): early
    # supported weight bearing and controlled balance work; agility, hopping, cutting, unstable
    # and uneven surfaces progressed later.
    ("ankle_sprain", "acute"): _f(
        "cutting", "lateral_steps", "hops_jumps", "knee_jump_load", "sprinting", "impact",
        "games", "uneven_ground", "unstable_surface", "long_on_feet"),
    ("ankle_sprain", "settling"): _f(
        "cutting", "hops_jumps", "knee_jump_load", "sprinting", "games", "uneven_ground"),
    ("ankle_sprain", "returning"): _f(),

    # Gluteal tendinopathy / lateral hip pain. Grimaldi et al. Sports Med 2015 and Mellor 2018
    # (LEAP): remove compressive positions (adduction, crossing, side-lying, glute/ITB
    # stretches); hills, stairs and running reduced while irritable. Breaststroke kick: notes.
    ("hip_glute_pain", "acute"): _f(
        "hip_compression", "breaststroke_kick", "impact", "hops_jumps", "knee_jump_load",
        "uphill_on_foot", "stairs", "sprinting", "cutting", "games"),
    ("hip_glute_pain", "settling"): _f("hip_compression", "breaststroke_kick"),
    ("hip_glute_pain", "returning"): _f("breaststroke_kick"),

    # Adductor (groin) strain. Serner et al. 2020 (criteria-based return to sport after acute
    # adductor injury) and Hölmich's adductor programme: early pain-free isometric adduction;
    # lateral and cutting movements, sprinting and kicking staged last; the
    # breaststroke whip kick is a classic groin-strain load (kept out throughout).
    ("adductor_strain", "acute"): _f(
        "adductor_loaded", "cutting", "lateral_steps", "sprinting", "hamstring_fast",
        "hops_jumps", "impact", "games", "breaststroke_kick"),
    ("adductor_strain", "settling"): _f("cutting", "sprinting", "games", "breaststroke_kick"),
    ("adductor_strain", "returning"): _f("breaststroke_kick"),

    # Hip flexor (iliopsoas / rectus femoris) strain. No dedicated guideline: the muscle-strain
    # staging of Heiderscheit 2010 applied to the hip flexors, with the groin-injury work of
    # Serner/Hölmich: early loading without resisted or stretched hip flexion; running,
    # uphill, sprinting and kicking staged last.
    ("hip_flexor_strain", "acute"): _f(
        "hip_flexor_loaded", "sprinting", "hamstring_fast", "impact", "hops_jumps",
        "uphill_on_foot", "cutting", "games", "breaststroke_kick"),
    ("hip_flexor_strain", "settling"): _f(
        "sprinting", "hamstring_fast", "games", "breaststroke_kick"),
    ("hip_flexor_strain", "returning"): _f("breaststroke_kick"),

    # Low back pain. George et al. JOSPT CPG 2021 (stay active; graded exercise), NICE NG59.
    # While acute, no heavy axial, ballistic or overhead loading; loaded flexion and twisting
    # held back (conservative reading of "graded" exercise).
    ("low_back_pain", "acute"): _f(
        "spinal_load", "ballistic", "overhead_load", "spinal_flexion_loaded",
        "spinal_rotation_loaded"),
    ("low_back_pain", "settling"): _f("ballistic"),
    ("low_back_pain", "returning"): _f(),
}

# Unsure knee pain: the union of the knee conditions it may be (PFP, patellar tendon, ITB).
for _phase in PHASES:
    _PHASE_ROWS[("knee_pain_unsure", _phase)] = frozenset().union(
        *(_PHASE_ROWS[(c, _phase)] for c in ("patellofemoral_pain", "patellar_tendinopathy",
                                             "itb_syndrome")))
# Not sure what it is: whatever any condition rules out in that phase (it may be bone stress).
for _phase in PHASES:
    _PHASE_ROWS[("not_sure", _phase)] = frozenset().union(
        *(rows for (c, p), rows in _PHASE_ROWS.items() if p == _phase and c != "not_sure"))

# ---- protect: only work that spares the injured area completely -- seated or lying upper-body
# ---- and trunk work with the legs at rest. Never standing or walking, calf raises, one-leg
# ---- stance, elliptical, ski machine, rowing or any impact.
PROTECT_BASE: frozenset[str] = _f(
    "standing", "single_leg_stance", "rise_on_toes", "heavy_calf", "seated_calf",
    "heel_below_toes", "hops_jumps", "impact", "sprinting", "cutting", "lateral_steps",
    "uphill_on_foot", "downhill_on_foot", "uneven_ground", "unstable_surface", "long_on_feet",
    "over_90_min", "daily_standing", "knee_bend_loaded_past_60", "deep_knee_flexion",
    "knee_jump_load", "stairs",
    "hamstring_lengthening", "hamstring_fast", "hip_flexor_loaded", "adductor_loaded",
    "breaststroke_kick", "swimming_kick", "pool_running", "pool_access", "barefoot", "leg_work",
    "leg_work_on_land", "weight_on_toes", "cycling", "cycling_standing_or_hard_climb",
    "rowing_drive", "elliptical", "ski_machine", "games", "spinal_load", "ballistic",
)
_PROTECT_EXTRA: dict[str, frozenset[str]] = {
    **{c: _f("kneeling") for c in _KNEE},
    **{c: _f("hip_compression") for c in _HIP_GROIN},
    "low_back_pain": _f("overhead_load", "spinal_flexion_loaded", "spinal_rotation_loaded",
                        "trunk_rotation", "trunk_loaded"),
    "not_sure": _f("kneeling", "hip_compression", "overhead_load", "spinal_flexion_loaded",
                   "spinal_rotation_loaded", "trunk_rotation", "trunk_loaded"),
}
# Water work a guideline supports while pain is high, if pain-free: deep-water running for bone
# stress (Wilber 1996, Liem 2013) and shin splints (Moen 2012): no ground contact at all.
_PROTECT_WATER: dict[str, frozenset[str]] = {
    "bone_stress_injury": _f("pool_access", "pool_running", "leg_work", "hip_flexor_loaded"),
    "shin_splints": _f("pool_access", "pool_running", "leg_work", "hip_flexor_loaded"),
}


def _protect(condition_id: str | None) -> frozenset[str]:
    key = "not_sure" if condition_id is None else condition_id
    rows = PROTECT_BASE | _PROTECT_EXTRA.get(key, frozenset()) | _PHASE_ROWS[(key, "acute")]
    return frozenset(rows - _PROTECT_WATER.get(key, frozenset()))


FORBIDDEN: dict[tuple[str | None, str], frozenset[str]] = {}
for _condition in CONDITIONS:
    for _phase in PHASES:
        # Not injured: nothing is forbidden in the ordinary states.
        FORBIDDEN[(_condition, _phase)] = (
            frozenset() if _condition is None else _PHASE_ROWS[(_condition, _phase)])
    # A warning sign without a known condition is treated like "not sure" in protect.
    FORBIDDEN[(_condition, "protect")] = _protect(_condition)
    FORBIDDEN[(_condition, "emergency")] = FORBID_ALL


def forbidden(condition_id: str | None, state: str) -> frozenset[str]:
    """The features never to be offered. An unknown condition id gets the "not sure" rows.
    The extra state "none" (no injury, no warning sign, no pain) forbids nothing."""
    if state == "none":
        return frozenset()
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    if condition_id is not None and condition_id not in INJURY_CONDITIONS:
        condition_id = "not_sure"
    return FORBIDDEN[(condition_id, state)]


def contraindications(features: frozenset[str], condition_id: str | None,
                      state: str) -> frozenset[str]:
    """The forbidden features present in an offer; in emergency every offer is contraindicated."""
    rows = forbidden(condition_id, state)
    if rows == FORBID_ALL:
        return FORBID_ALL
    return frozenset(features) & rows


def unclassified(pack_ids: Mapping[str, Iterable[str]]) -> list[str]:
    """"kind:id" for every pack id this witness has not classified. Kinds: activities, exercises,
    sessions, nudges, conditions (an unknown kind is reported as "<kind>:*")."""
    known: dict[str, Iterable[object]] = {
        "activities": ACTIVITY_FEATURES, "exercises": EXERCISE_FEATURES,
        "sessions": SESSION_FEATURES, "nudges": NUDGE_FEATURES, "conditions": INJURY_CONDITIONS,
    }
    missing: list[str] = []
    for kind, ids in pack_ids.items():
        if kind not in known:
            missing.append(f"{kind}:*")
            continue
        table = set(known[kind])
        missing.extend(f"{kind}:{item}" for item in sorted(ids) if item not in table)
    return missing


def _self_check() -> None:
    assert len(FEATURES) >= 45, "feature vocabulary failed to parse"
    for rows in (*_PHASE_ROWS.values(), PROTECT_BASE, *_PROTECT_EXTRA.values()):
        unknown = set(rows) - FEATURES
        assert not unknown, unknown
    for table in (ACTIVITY_FEATURES, EXERCISE_FEATURES, SESSION_FEATURES, NUDGE_FEATURES):
        for key, features in table.items():
            # Informative only, and never together with leg work.
            assert not ("upper_body_only" in features and "leg_work" in features), key
    for key, rows in FORBIDDEN.items():
        assert "upper_body_only" not in rows, key
        assert key[1] != "protect" or {"standing", "impact", "rise_on_toes", "single_leg_stance",
                                      "elliptical", "ski_machine", "rowing_drive"} <= rows, key


_self_check()
