"""Bad arguments raise TypeError or ValueError naming the option, with the nearest name."""

import pytest

import casus


def test_an_unknown_keyword_names_the_nearest(ukraine):
    with pytest.raises(TypeError, match=r"unexpected keyword argument `giv`; did you mean `given`\?"):
        ukraine.evaluate(giv={})


def test_an_unknown_keyword_of_sweep_names_the_nearest(ukraine):
    with pytest.raises(TypeError, match=r"`analysis`; did you mean `analyses`\?"):
        ukraine.sweep([{}], analysis=[])


def test_an_unknown_keyword_of_sample_names_the_nearest(ukraine):
    with pytest.raises(TypeError, match=r"`deadlin`; did you mean `deadline`\?"):
        ukraine.sample(10, deadlin=1)


def test_an_unknown_keyword_of_load_is_refused():
    with pytest.raises(TypeError, match=r"load\(\) got an unexpected keyword argument `pth`; did you mean `path`\?"):
        casus.load(path="x.toml", pth="y")


def test_a_misspelt_given_name_names_the_nearest(ukraine):
    with pytest.raises(ValueError, match=r"given: `kyiv_buyin` .*did you mean `kyiv_buy_in`\?"):
        ukraine.evaluate(given={"kyiv_buyin": 50})


def test_an_option_that_does_not_exist_is_a_value_error(ukraine):
    with pytest.raises(ValueError, match=r"^given: "):
        ukraine.evaluate(given={"land_position": "de_jur"})


def test_given_must_be_a_dict(ukraine):
    with pytest.raises(TypeError, match=r"given must be a dict"):
        ukraine.evaluate(given=[("kyiv_buy_in", 50)])


def test_a_given_value_of_the_wrong_type_names_the_name(ukraine):
    with pytest.raises(TypeError, match=r"given: the value of `kyiv_buy_in` must be a bool, a number or a str, not list"):
        ukraine.evaluate(given={"kyiv_buy_in": [50]})


def test_a_given_name_must_be_a_str(ukraine):
    with pytest.raises(TypeError, match=r"given: every name must be a str, not int"):
        ukraine.evaluate(given={1: 50})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_given_number_must_be_finite(ukraine, value):
    with pytest.raises(ValueError, match=r"given: `kyiv_buy_in` must be a finite number"):
        ukraine.evaluate(given={"kyiv_buy_in": value})


def test_a_misspelt_variant_names_the_nearest(ukraine):
    with pytest.raises(ValueError, match=r"variant: `congress_sanction` is not a variant; did you mean `congress_sanctions`\?"):
        ukraine.evaluate(variant="congress_sanction")


def test_a_misspelt_signpost_names_the_nearest(ukraine):
    with pytest.raises(ValueError, match=r"^observe: .*did you mean `us_deliveries_stop`\?"):
        ukraine.evaluate(observe=["us_deliveries_stp"])


def test_observe_must_be_a_list_not_a_str(ukraine):
    with pytest.raises(TypeError, match=r"observe must be a list of names"):
        ukraine.evaluate(observe="us_deliveries_stop")


def test_a_misspelt_analysis_names_the_nearest(ukraine):
    with pytest.raises(ValueError, match=r"analyses: `rangs` is not an analysis; did you mean `ranges`\?"):
        ukraine.evaluate(analyses=["rangs"])


def test_an_unknown_analysis_lists_them(ukraine):
    with pytest.raises(ValueError, match=r"the analyses are `ranges`, `information`, `ranking`, `watch` or `analysts`"):
        ukraine.evaluate(analyses=["everything"])


@pytest.mark.parametrize("n", [0, -1, 1_000_001, 2**70])
def test_a_sample_count_out_of_range_names_n(ukraine, n):
    with pytest.raises(ValueError, match=r"^n must be between"):
        ukraine.sample(n)


def test_a_sample_count_must_be_an_int(ukraine):
    with pytest.raises(TypeError, match=r"^n must be an int, not float"):
        ukraine.sample(10.5)


def test_a_negative_seed_is_refused(ukraine):
    with pytest.raises(ValueError, match=r"^seed must be between 0 and"):
        ukraine.sample(10, -1)


def test_a_seed_without_samples_is_refused(ukraine):
    with pytest.raises(ValueError, match=r"seed is only used with samples"):
        ukraine.evaluate(seed=3)


@pytest.mark.parametrize("deadline", [0, -1, float("nan")])
def test_a_deadline_must_be_positive(ukraine, deadline):
    with pytest.raises(ValueError, match=r"^deadline must be a positive number of seconds"):
        ukraine.evaluate(deadline=deadline)


def test_sweep_wants_a_list_of_dicts(ukraine):
    with pytest.raises(TypeError, match=r"given must be a list of dicts"):
        ukraine.sweep({"kyiv_buy_in": 50})


def test_a_bad_sweep_point_is_named_by_its_index(ukraine):
    with pytest.raises(ValueError, match=r"^given\[1\]: given: `kyiv_buyin`"):
        ukraine.sweep([{"kyiv_buy_in": 50}, {"kyiv_buyin": 50}])


def test_a_sweep_point_of_the_wrong_type_is_named_by_its_index(ukraine):
    with pytest.raises(TypeError, match=r"^given\[2\] must be a dict"):
        ukraine.sweep([{}, {}, 5])
